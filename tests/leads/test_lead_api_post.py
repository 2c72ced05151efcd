"""POST /api/sn_lead_mgmt_core/lead: the rules and the error list of docs/lead-api.md, each
checked on the answer and on the rows left in the database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Account, Consumer, Contact
from csm_project.core.models import JournalEntry, NumberCounter
from leads import services
from leads.models import LEAD_TABLE, LINE_ITEM_TABLE, Lead, LeadLineItem, UserGroup

LEAD_URL = "/api/sn_lead_mgmt_core/lead"
MANDATORY = "Mandatory field is either missing or invalid."

pytestmark = pytest.mark.django_db


def post(client, body):
    return client.post(LEAD_URL, body, format="json")


def assert_rejected(response, detail: list[dict]) -> None:
    """400, the error envelope with the detail list of docs/lead-api.md, and nothing written."""
    assert response.status_code == 400, response.content
    assert response.json() == {"error": {"message": "Invalid payload", "detail": detail}, "status": "failure"}
    assert not Lead.objects.exists()
    assert not LeadLineItem.objects.exists()
    assert not JournalEntry.objects.filter(name__in=[LEAD_TABLE, LINE_ITEM_TABLE]).exists()


def item(offering, **fields) -> dict:
    return {"product_offering": {"sys_id": offering.pk}, **fields}


def test_post_applies_the_defaults_and_makes_the_caller_owner(lead_client, catalogue):
    response = post(lead_client, {"last_name": "Wilson"})

    assert response.status_code == 201
    body = response.json()
    lead = Lead.objects.get()
    assert body["sys_id"] == lead.pk and body["number"] == lead.number
    assert body["stage"] == "100_new"
    assert (body["do_not_call"], body["do_not_email"], body["do_not_share"]) == (False, False, False)
    assert body["owner"] == {"sys_id": lead_client.user.pk, "name": "Abel Tuter"}
    for key in ("email", "lead_source", "lead_score", "account", "contact", "consumer", "closed_date", "work_notes"):
        assert body[key] is None, key
    assert body["lead_line_items"] == []
    assert (lead.stage, lead.owner_id, lead.sys_mod_count, lead.sys_created_by) == (
        "100_new",
        lead_client.user.pk,
        0,
        lead_client.user.user_name,
    )


def test_post_ignores_unknown_and_system_fields(lead_client, catalogue):
    response = post(
        lead_client,
        {
            "last_name": "Wilson",
            "favourite_colour": "blue",
            "sys_id": "0" * 32,
            "number": "LEAD9999999",
            "sys_created_by": "mallory",
            "sys_mod_count": 42,
            "sys_class_name": "x",
            "closed_date": "2020-01-01 00:00:00",
        },
    )

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert lead.pk != "0" * 32 and lead.number != "LEAD9999999"
    assert (lead.sys_created_by, lead.sys_mod_count, lead.closed_date) == (lead_client.user.user_name, 0, None)
    assert "favourite_colour" not in response.json()


def test_post_ignores_invalid_choice_and_reference_values(lead_client, catalogue):
    response = post(
        lead_client,
        {
            "last_name": "Wilson",
            "lead_source": "inbount_web",
            "stage": "300_nurturning",
            "industry": 7,
            "owner": {"sys_id": "f" * 32},
            "lead_group": {"sys_id": "not-a-group"},
            "account": ["x"],
        },
    )

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert (lead.lead_source, lead.stage, lead.industry, lead.lead_group_id, lead.account_id) == (
        None,
        "100_new",
        None,
        None,
        None,
    )
    assert lead.owner_id == lead_client.user.pk


def test_post_accepts_valid_choices_and_references(lead_client, catalogue, make_user):
    group = UserGroup.objects.create(name="Inside sales")
    owner = make_user(first_name="Max", last_name="Blaze")
    response = post(
        lead_client,
        {
            "last_name": "Wilson",
            "lead_source": "inbound_web",
            "stage": "200_contacted",
            "lead_rating": "300_hot",
            "lead_type": "new_business",
            "industry": "banking",
            "owner": {"sys_id": owner.pk},
            "lead_group": {"sys_id": group.pk},
            "do_not_call": True,
            "lead_score": 55,
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["owner"] == {"sys_id": owner.pk, "name": "Max Blaze"}
    assert body["lead_group"] == {"sys_id": group.pk, "name": "Inside sales"}
    assert body["lead_score"] == 55 and body["do_not_call"] is True
    lead = Lead.objects.get()
    assert (lead.lead_source, lead.stage, lead.lead_rating, lead.lead_type, lead.industry) == (
        "inbound_web",
        "200_contacted",
        "300_hot",
        "new_business",
        "banking",
    )


def test_choice_lists_are_data_staff_can_extend(lead_client, catalogue):
    from csm_project.core.records.choices import choices_ensure

    assert post(lead_client, {"last_name": "A", "lead_source": "podcast"}).json()["lead_source"] is None
    choices_ensure(table=LEAD_TABLE, element="lead_source", values=[("podcast", "Podcast")])

    assert post(lead_client, {"last_name": "B", "lead_source": "podcast"}).json()["lead_source"] == "podcast"


def test_post_ignores_account_contact_and_consumer_when_account_and_consumer_are_both_given(lead_client, catalogue):
    account = Account.objects.create(name="Boxeo")
    consumer = Consumer.objects.create(name="test")
    contact = Contact.objects.create(user_name="julie", first_name="Julie", last_name="Lewis", account=account)

    response = post(
        lead_client,
        {
            "last_name": "Wilson",
            "account": {"sys_id": account.pk},
            "consumer": {"sys_id": consumer.pk},
            "contact": {"sys_id": contact.pk},
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["account"], body["contact"], body["consumer"]) == (None, None, None)
    assert Lead.objects.filter(account=None, contact=None, consumer=None).count() == 1


def test_post_keeps_account_and_contact_without_consumer(lead_client, catalogue):
    account = Account.objects.create(name="Boxeo")
    contact = Contact.objects.create(user_name="julie", first_name="Julie", last_name="Lewis", account=account)

    response = post(
        lead_client, {"last_name": "Wilson", "account": {"sys_id": account.pk}, "contact": {"sys_id": contact.pk}}
    )

    body = response.json()
    assert body["account"] == {"sys_id": account.pk, "name": "Boxeo"}
    assert body["contact"] == {"sys_id": contact.pk, "name": "Julie Lewis"}
    assert Lead.objects.get().contact_id == contact.pk


@pytest.mark.parametrize("body", [{}, [], ["last_name"], "Wilson", 42])
def test_post_rejects_an_empty_or_non_object_body(lead_client, catalogue, body):
    assert_rejected(post(lead_client, body), [{"request_body": "Invalid/empty request body."}])


def test_post_rejects_unreadable_json_with_the_read_envelope(lead_client, catalogue):
    response = lead_client.post(LEAD_URL, data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Exception while reading request"
    assert not Lead.objects.exists()


@pytest.mark.parametrize("last_name", [None, "", "   ", 12, {"x": 1}])
def test_post_requires_last_name(lead_client, catalogue, last_name):
    assert_rejected(post(lead_client, {"first_name": "James", "last_name": last_name}), [{"last_name": MANDATORY}])


def test_post_without_last_name_is_rejected(lead_client, catalogue):
    assert_rejected(post(lead_client, {"first_name": "James"}), [{"last_name": MANDATORY}])


@pytest.mark.parametrize("email", ["james", "james@", "@example.com", "james wilson@example.com", "a@b", 5])
def test_post_rejects_a_malformed_email(lead_client, catalogue, email):
    assert_rejected(post(lead_client, {"last_name": "Wilson", "email": email}), [{"email": "Invalid email address."}])


@pytest.mark.parametrize("field", ["business_phone", "mobile_phone"])
@pytest.mark.parametrize(
    "phone", ["call me", "12345", "+1 555 123 4567 890 123", "555-CALL-NOW", "++15551234567", 5551234]
)
def test_post_rejects_a_malformed_phone_number(lead_client, catalogue, field, phone):
    assert_rejected(post(lead_client, {"last_name": "Wilson", field: phone}), [{field: "Invalid phone number."}])


@pytest.mark.parametrize("phone", ["+1 (555) 123-4567", "(626) 722-6969", "+44 20 7946 0958", "555.123.4567"])
def test_post_accepts_usual_phone_formats(lead_client, catalogue, phone):
    response = post(lead_client, {"last_name": "Wilson", "business_phone": phone, "mobile_phone": phone})

    assert response.status_code == 201
    assert (response.json()["business_phone"], Lead.objects.get().mobile_phone) == (phone, phone)


@pytest.mark.parametrize("score", [0, 100.5, 12.25, 101, -3, "abc", True, {"v": 1}])
def test_post_rejects_a_lead_score_outside_1_to_100(lead_client, catalogue, score):
    assert_rejected(
        post(lead_client, {"last_name": "Wilson", "lead_score": score}),
        [{"lead_score": "Lead score must be a whole number from 1 to 100."}],
    )


@pytest.mark.parametrize(("score", "stored"), [(1, 1), (100, 100), ("42", 42), (12.0, 12)])
def test_post_accepts_a_lead_score_from_1_to_100(lead_client, catalogue, score, stored):
    response = post(lead_client, {"last_name": "Wilson", "lead_score": score})

    assert response.status_code == 201
    assert response.json()["lead_score"] == stored
    assert float(Lead.objects.get().lead_score) == stored


@pytest.mark.parametrize(("field", "limit"), [("reason", 40), ("short_description", 160), ("other_reason", 160)])
def test_post_rejects_text_over_its_maximum_length(lead_client, catalogue, field, limit):
    assert_rejected(
        post(lead_client, {"last_name": "Wilson", field: "x" * (limit + 1)}),
        [{field: f"Value is longer than the maximum of {limit} characters."}],
    )


@pytest.mark.parametrize(("field", "limit"), [("reason", 40), ("short_description", 160), ("other_reason", 160)])
def test_post_accepts_text_of_exactly_its_maximum_length(lead_client, catalogue, field, limit):
    response = post(lead_client, {"last_name": "Wilson", field: "x" * limit})

    assert response.status_code == 201
    assert getattr(Lead.objects.get(), field) == "x" * limit


def test_post_rejects_a_line_item_without_product_offering(lead_client, catalogue):
    body = {
        "last_name": "Wilson",
        "lead_line_items": [item(catalogue["modem"]), {"quantity": 2}, {"product_offering": {}}],
    }

    assert_rejected(
        post(lead_client, body),
        [{"lead_line_items[1]/product_offering": MANDATORY}, {"lead_line_items[2]/product_offering": MANDATORY}],
    )


def test_post_rejects_a_line_item_naming_an_unknown_offering(lead_client, catalogue):
    body = {"last_name": "Wilson", "lead_line_items": [{"product_offering": {"sys_id": "e" * 32}}]}

    assert_rejected(post(lead_client, body), [{"lead_line_items[0]/product_offering": MANDATORY}])


def test_post_reports_every_error_of_the_request_together(lead_client, catalogue):
    body = {"email": "nope", "lead_line_items": [{"quantity": 3}], "lead_score": 0}

    assert_rejected(
        post(lead_client, body),
        [
            {"last_name": MANDATORY},
            {"email": "Invalid email address."},
            {"lead_score": "Lead score must be a whole number from 1 to 100."},
            {"lead_line_items[0]/product_offering": MANDATORY},
        ],
    )


def test_post_creates_line_items_with_quantity_defaulting_to_1(lead_client, catalogue):
    body = {
        "last_name": "Wilson",
        "lead_line_items": [
            item(catalogue["modem"]),
            item(
                catalogue["coverage"],
                quantity=6,
                unit_of_measurement={"sys_id": catalogue["each"].pk},
                external_id="hs-1",
                external_system="HubSpot",
            ),
            item(catalogue["modem"], quantity="many", unit_of_measurement={"sys_id": "nope"}),
        ],
    }

    response = post(lead_client, body)

    assert response.status_code == 201
    items = response.json()["lead_line_items"]
    assert [entry["quantity"] for entry in items] == [1, 6, 1]
    assert items[1]["product_offering"] == {
        "sys_id": catalogue["coverage"].pk,
        "name": "Safety Test Coverage",
        "code": "SAFETSTCVG1",
    }
    assert items[1]["unit_of_measurement"] == {"sys_id": catalogue["each"].pk, "name": "Each"}
    assert (items[1]["external_id"], items[1]["external_system"]) == ("hs-1", "HubSpot")
    assert items[2]["unit_of_measurement"] is None
    stored = list(LeadLineItem.objects.order_by("number").values_list("number", "quantity"))
    assert [quantity for _, quantity in stored] == [1, 6, 1]
    assert all(number.startswith("LEADL") for number, _ in stored)


def test_post_uses_the_first_100_line_items_and_ignores_the_rest(lead_client, catalogue):
    body = {"last_name": "Wilson", "lead_line_items": [item(catalogue["modem"], quantity=n + 1) for n in range(103)]}

    response = post(lead_client, body)

    assert response.status_code == 201
    assert len(response.json()["lead_line_items"]) == 100
    assert sorted(LeadLineItem.objects.values_list("quantity", flat=True)) == list(range(1, 101))
    lead = Lead.objects.get()
    assert JournalEntry.objects.filter(name=LEAD_TABLE, element_id=lead.pk).count() == 100
    assert lead.sys_mod_count == 100


def test_post_errors_past_the_100th_line_item_are_ignored_too(lead_client, catalogue):
    body = {
        "last_name": "Wilson",
        "lead_line_items": [item(catalogue["modem"])] * 100 + [{"product_offering": {"sys_id": "nope"}}],
    }

    assert post(lead_client, body).status_code == 201


def test_post_joins_the_work_notes_into_one_entry_and_journals_each_line_item(lead_client, catalogue):
    body = {
        "last_name": "Wilson",
        "work_notes": [{"text": "Met at the fair"}, {"text": "wants a quote"}],
        "lead_line_items": [
            item(
                catalogue["coverage"],
                unit_of_measurement={"sys_id": catalogue["each"].pk},
                work_notes=[{"text": "rush"}, {"text": "urgent"}],
            )
        ],
    }

    response = post(lead_client, body)

    assert response.status_code == 201
    body = response.json()
    line_item = LeadLineItem.objects.get()
    assert [note["text"] for note in body["work_notes"]] == [
        "Met at the fair,wants a quote",
        f"Lead Line Item [code]<a href='/sn_lead_mgmt_core_lead_line_item.do?sys_id={line_item.pk}'>"
        f"{line_item.number}</a>[/code] has been created  [code] <b> Product Offering </b> [/code] Safety Test "
        "Coverage [code] <b> Quantity </b> [/code] 1 [code] <b> Unit of Measure </b> [/code] Each",
    ]
    assert {note["author"] for note in body["work_notes"]} == {"Abel Tuter"}
    assert body["lead_line_items"][0]["work_notes"][0]["text"] == "rush,urgent"
    assert body["sys_mod_count"] == 1  # the line item's journal entry, as in the seed
    assert JournalEntry.objects.filter(name=LEAD_TABLE).count() == 2
    assert JournalEntry.objects.get(name=LINE_ITEM_TABLE).value == "rush,urgent"


def test_post_in_a_closed_stage_sets_closed_date(lead_client, catalogue):
    response = post(lead_client, {"last_name": "Wilson", "stage": "500_closed_lost", "reason": "Disqualify"})

    assert response.status_code == 201
    assert response.json()["closed_date"]["value"]
    assert Lead.objects.get().closed_date is not None


def test_a_failure_while_writing_leaves_nothing_behind(lead_client, catalogue, monkeypatch):
    """One transaction per request: the lead and its first line item are written, then the
    journal fails; the answer is the 500 envelope and no row remains."""

    def broken(*args, **kwargs):
        raise RuntimeError("journal is down")

    monkeypatch.setattr(services, "journal_add", broken)
    body = {"last_name": "Wilson", "lead_line_items": [item(catalogue["modem"])]}

    response = post(lead_client, body)

    assert response.status_code == 500
    assert response.json()["error"]["message"] == "Internal server error"
    assert not Lead.objects.exists() and not LeadLineItem.objects.exists()


def test_a_rejected_post_runs_no_write(lead_client, catalogue):
    counters = list(NumberCounter.objects.values_list("prefix", "next_value"))
    with CaptureQueriesContext(connection) as queries:
        post(lead_client, {"email": "x", "lead_line_items": [{"quantity": 1}]})

    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    # Only the login's own bookkeeping: its stamp, and the throttle's count of the attempt.
    assert [sql for sql in writes if "sys_user" not in sql and "sys_login_failures" not in sql] == []
    assert list(NumberCounter.objects.values_list("prefix", "next_value")) == counters


def seed_like_body(catalogue, consumer) -> dict:
    return {
        "last_name": "Wilson", "first_name": "James", "email": "james.wilson@email.com",
        "business_phone": "+1 (555) 123-4567", "lead_source": "inbound_phone", "industry": "manufacturing",
        "stage": "100_new", "lead_type": "existing_business", "lead_rating": "200_warm", "lead_score": 92,
        "consumer": {"sys_id": consumer.pk}, "work_notes": [{"text": "Work notes for lead"}],
        "lead_line_items": [{"quantity": 1, "product_offering": {"sys_id": catalogue["coverage"].pk},
                             "unit_of_measurement": {"sys_id": catalogue["each"].pk}}],
    }  # fmt: skip


def test_a_post_costs_a_fixed_number_of_statements(lead_client, catalogue, django_assert_max_num_queries):
    """Credentials and roles (2); offerings, units, choices and the consumer looked up (4); the
    transaction (2); two numbers drawn, the lead, its line item, two journal entries and the
    line item's count on the lead (7). The answer is built from what was written: no read-back."""
    body = seed_like_body(catalogue, Consumer.objects.create(name="test"))
    assert post(lead_client, body).status_code == 201  # the number counters' first use creates them

    with django_assert_max_num_queries(16):  # 16: the row rules of the lead table, read once
        response = post(lead_client, body)

    assert response.status_code == 201


@pytest.mark.parametrize("closed", [False, True])
def test_the_answer_to_a_post_is_the_lead_as_read_back(lead_client, catalogue, closed):
    """The answer is built from what was written; it must be what a GET of the new lead shows,
    line items, their work notes, the lead's journal and its update count included."""
    body = seed_like_body(catalogue, Consumer.objects.create(name="test"))
    body["lead_line_items"] += [
        {"quantity": 3, "product_offering": {"sys_id": catalogue["modem"].pk}, "work_notes": "item note",
         "external_id": "X-1"},
        {"product_offering": {"sys_id": catalogue["modem"].pk}},
    ]  # fmt: skip
    if closed:
        body.update(stage="400_closed_won", work_notes=None)

    response = post(lead_client, body)

    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer == lead_client.get(f"{LEAD_URL}/{answer['sys_id']}").json()
    assert answer["sys_mod_count"] == 3 and len(answer["lead_line_items"]) == 3
    assert len(answer["work_notes"]) == (3 if closed else 4)

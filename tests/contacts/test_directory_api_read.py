"""GET /api/v2/contacts and /api/v2/contacts/{id} (docs/contact-center-api.md): the three kinds together,
filters, paging, sorting, and who appears as a User contact."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import CustomContact
from csm_project.core.access.roles import user_grant_roles, user_revoke_roles
from interactions.models import Queue

SYS_ID = re.compile(r"^[0-9a-f]{32}$")
USER_KEYS = ["id", "name", "type", "phoneNumber", "userName", "firstName", "lastName", "employeeId", "uri", "path"]
OTHER_KEYS = ["id", "name", "type", "phoneNumber", "uri", "path"]


@pytest.fixture
def directory(make_user):
    """One contact of each kind besides the calling user: Joe (agent), a queue, a custom contact."""
    joe = make_user(
        "contact_center_agent",
        user_name="joej",
        first_name="Joe",
        last_name="Johnson",
        employee_number="E-17",
        phone="+1 555 0100",
    )
    queue = Queue.objects.create(name="Billing", phone_number="+1 555 0200")
    custom = CustomContact.objects.create(name="Some Contact", phone_number="xxx-xxx-xxxx")
    return {"joe": joe, "queue": queue, "custom": custom}


def contacts_of(response) -> list[dict]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body) == ["statusCode", "totalCount", "contacts"]
    assert body["statusCode"] == 0
    return body["contacts"]


def ids_of(response) -> list[str]:
    return [contact["id"] for contact in contacts_of(response)]


@pytest.mark.django_db
def test_list_presents_users_queues_and_custom_contacts_with_their_own_attributes(cc_agent_client, directory):
    response = cc_agent_client.get("/api/v2/contacts")

    by_id = {contact["id"]: contact for contact in contacts_of(response)}
    assert response.json()["totalCount"] == 4  # Joe, the queue, the custom contact and the calling agent
    joe = directory["joe"]
    assert by_id[joe.sys_id] == {
        "id": joe.sys_id,
        "name": "joej",
        "type": "User",
        "phoneNumber": "+1 555 0100",
        "userName": "joej",
        "firstName": "Joe",
        "lastName": "Johnson",
        "employeeId": "E-17",
        "uri": f"http://testserver/api/v2/contacts/{joe.sys_id}",
        "path": f"/contacts/{joe.sys_id}",
    }
    assert list(by_id[joe.sys_id]) == USER_KEYS
    queue = directory["queue"]
    assert by_id[queue.sys_id] == {
        "id": queue.sys_id,
        "name": "Billing",
        "type": "Queue",
        "phoneNumber": "+1 555 0200",
        "uri": f"http://testserver/api/v2/contacts/{queue.sys_id}",
        "path": f"/contacts/{queue.sys_id}",
    }
    custom = directory["custom"]
    assert list(by_id[custom.sys_id]) == OTHER_KEYS
    assert by_id[custom.sys_id]["type"] == "Custom"
    assert by_id[custom.sys_id]["phoneNumber"] == "xxx-xxx-xxxx"


@pytest.fixture
def cc_agent_client(client_for):
    """The calling agent is itself a User contact; give it a name that sorts last."""
    return client_for("contact_center_agent", user_name="zz.caller")


@pytest.mark.django_db
def test_the_calling_agent_is_listed_too(cc_agent_client, directory):
    response = cc_agent_client.get("/api/v2/contacts?userName=zz.caller")

    assert ids_of(response) == [cc_agent_client.user.sys_id]


@pytest.mark.django_db
def test_empty_values_of_attributes_a_kind_has_are_empty_strings(cc_agent_client, directory):
    bare = CustomContact.objects.create(name="No Number")

    contact = cc_agent_client.get(f"/api/v2/contacts/{bare.sys_id}").json()["contact"]

    assert contact["phoneNumber"] == ""


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", ["User", "user", "USER", "uSeR"])
def test_type_filter_ignores_case_and_answers_capitalised(cc_agent_client, directory, spelling):
    response = cc_agent_client.get(f"/api/v2/contacts?type={spelling}")

    contacts = contacts_of(response)
    assert {contact["type"] for contact in contacts} == {"User"}
    assert {contact["userName"] for contact in contacts} == {"joej", "zz.caller"}


@pytest.mark.django_db
def test_type_custom_lists_only_custom_contacts(cc_agent_client, directory):
    response = cc_agent_client.get("/api/v2/contacts?type=custom")

    assert ids_of(response) == [directory["custom"].sys_id]
    assert response.json()["totalCount"] == 1


@pytest.mark.django_db
def test_filters_are_anded(cc_agent_client, directory, make_user):
    make_user("contact_center_agent", user_name="joe2", first_name="Joe", last_name="Johnson")
    make_user("contact_center_agent", user_name="joe3", first_name="Joe", last_name="Miller")

    both_names = cc_agent_client.get("/api/v2/contacts?firstName=Joe&lastName=Johnson")
    all_three = cc_agent_client.get("/api/v2/contacts?firstName=Joe&lastName=Johnson&userName=joej")

    assert sorted(c["userName"] for c in contacts_of(both_names)) == ["joe2", "joej"]
    assert ids_of(all_three) == [directory["joe"].sys_id]


@pytest.mark.django_db
def test_filters_other_than_type_match_exactly_and_with_case(cc_agent_client, directory):
    assert ids_of(cc_agent_client.get("/api/v2/contacts?name=Billing")) == [directory["queue"].sys_id]
    assert ids_of(cc_agent_client.get("/api/v2/contacts?name=billing")) == []
    assert ids_of(cc_agent_client.get("/api/v2/contacts?name=Bill")) == []


@pytest.mark.django_db
def test_a_filter_on_an_attribute_a_kind_lacks_excludes_that_kind(cc_agent_client, directory):
    response = cc_agent_client.get("/api/v2/contacts?phoneNumber=xxx-xxx-xxxx")
    assert ids_of(response) == [directory["custom"].sys_id]

    response = cc_agent_client.get("/api/v2/contacts?employeeId=E-17")
    assert ids_of(response) == [directory["joe"].sys_id]


@pytest.mark.django_db
def test_id_filter_finds_a_contact_of_any_kind(cc_agent_client, directory):
    for record in directory.values():
        assert ids_of(cc_agent_client.get(f"/api/v2/contacts?id={record.sys_id}")) == [record.sys_id]


@pytest.mark.django_db
def test_unknown_query_parameters_are_ignored(cc_agent_client, directory):
    response = cc_agent_client.get("/api/v2/contacts?type=Queue&colour=blue&sysparm_limit=1")

    assert ids_of(response) == [directory["queue"].sys_id]


@pytest.mark.django_db
def test_an_unknown_type_is_statuscode_2(cc_agent_client, directory):
    response = cc_agent_client.get("/api/v2/contacts?type=Robot")

    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 2,
        "statusMessage": "Invalid parameter: type must be one of User, Queue, Custom",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["limit=-1", "limit=ten", "offset=-5", "offset=1.5", "sortBy=colour", "sortBy=name,shoeSize", "order=Sideways"],
)
def test_bad_paging_or_sorting_is_statuscode_2(cc_agent_client, directory, query):
    response = cc_agent_client.get(f"/api/v2/contacts?{query}")

    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["statusCode", "statusMessage"]
    assert body["statusCode"] == 2


@pytest.mark.django_db
def test_get_one_contact_of_each_kind(cc_agent_client, directory):
    for kind, record in (("User", directory["joe"]), ("Queue", directory["queue"]), ("Custom", directory["custom"])):
        response = cc_agent_client.get(f"/api/v2/contacts/{record.sys_id}")

        assert response.status_code == 200
        body = response.json()
        assert list(body) == ["statusCode", "contact"]
        assert body["statusCode"] == 0
        assert body["contact"]["id"] == record.sys_id
        assert body["contact"]["type"] == kind
        assert list(body["contact"]) == (USER_KEYS if kind == "User" else OTHER_KEYS)


@pytest.mark.django_db
@pytest.mark.parametrize("contact_id", ["0" * 32, "not-an-id", "%27%3B--"])
def test_get_an_unknown_id_is_statuscode_6(cc_agent_client, directory, contact_id):
    response = cc_agent_client.get(f"/api/v2/contacts/{contact_id}")

    assert response.status_code == 404
    assert response.json() == {"statusCode": 6, "statusMessage": "Contact not found"}


@pytest.mark.django_db
def test_a_granted_user_appears_and_disappears_when_the_role_is_revoked(cc_agent_client, make_user):
    newcomer = make_user(user_name="newcomer")
    assert ids_of(cc_agent_client.get("/api/v2/contacts?userName=newcomer")) == []

    user_grant_roles(user=newcomer, roles=["contact_center_admin"])
    assert ids_of(cc_agent_client.get("/api/v2/contacts?userName=newcomer")) == [newcomer.sys_id]
    assert cc_agent_client.get(f"/api/v2/contacts/{newcomer.sys_id}").status_code == 200

    user_revoke_roles(user=newcomer, roles=["contact_center_admin"])
    assert ids_of(cc_agent_client.get("/api/v2/contacts?userName=newcomer")) == []
    assert cc_agent_client.get(f"/api/v2/contacts/{newcomer.sys_id}").status_code == 404


@pytest.mark.django_db
def test_a_user_with_both_roles_appears_once(cc_agent_client, make_user):
    both = make_user("contact_center_agent", "contact_center_admin", user_name="both.roles")

    assert ids_of(cc_agent_client.get("/api/v2/contacts?type=User&userName=both.roles")) == [both.sys_id]


@pytest.mark.django_db
def test_superusers_other_roles_and_inactive_users_are_not_user_contacts(cc_agent_client, make_user):
    make_user(user_name="root", is_superuser=True)
    make_user("admin", user_name="platform.admin")
    make_user("csm_ws_integration", user_name="integration")
    make_user("contact_center_agent", user_name="gone", active=False)

    response = cc_agent_client.get("/api/v2/contacts?type=User")

    assert [contact["userName"] for contact in contacts_of(response)] == ["zz.caller"]


@pytest.mark.django_db
def test_a_new_queue_appears_as_a_queue_contact(cc_agent_client):
    assert ids_of(cc_agent_client.get("/api/v2/contacts?type=Queue")) == []

    queue = Queue.objects.create(name="Returns", phone_number="+1 555 0300")

    contacts = contacts_of(cc_agent_client.get("/api/v2/contacts?type=Queue"))
    assert [(c["id"], c["name"], c["phoneNumber"]) for c in contacts] == [(queue.sys_id, "Returns", "+1 555 0300")]


@pytest.fixture
def crowd(make_user):
    """Fifteen contacts of each kind, with names that collide across kinds and within one."""
    for n in range(15):
        make_user("contact_center_agent", user_name=f"name{n % 5}-u{n}", phone=f"{n % 3}")
        Queue.objects.create(name=f"name{n % 5}", phone_number=f"{n % 3}")
        CustomContact.objects.create(name=f"name{n % 5}", phone_number=f"{n % 3}" if n % 4 else None)


def walk(client, query: str, limit: int) -> tuple[list[str], int]:
    ids: list[str] = []
    offset = 0
    while True:
        body = client.get(f"/api/v2/contacts?{query}&limit={limit}&offset={offset}").json()
        page = [contact["id"] for contact in body["contacts"]]
        if not page:
            return ids, body["totalCount"]
        ids += page
        offset += limit


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["", "sortBy=name", "sortBy=phoneNumber,name", "sortBy=type,userName"])
@pytest.mark.parametrize("order", ["Ascending", "Descending"])
def test_paging_visits_every_contact_exactly_once(cc_agent_client, crowd, sort, order):
    everyone, total = walk(cc_agent_client, f"{sort}&order={order}", limit=1000)
    assert total == 46  # 15 of each kind and the caller
    assert len(everyone) == len(set(everyone)) == total

    for limit in (1, 7):
        paged, _ = walk(cc_agent_client, f"{sort}&order={order}", limit=limit)
        assert paged == everyone


@pytest.mark.django_db
def test_descending_is_the_exact_reverse_of_ascending(cc_agent_client, crowd):
    ascending, _ = walk(cc_agent_client, "sortBy=phoneNumber,type", limit=1000)
    descending, _ = walk(cc_agent_client, "sortBy=phoneNumber,type&order=Descending", limit=1000)

    assert descending == ascending[::-1]


@pytest.mark.django_db
def test_sorting_orders_by_each_attribute_in_turn_then_id(cc_agent_client, crowd):
    contacts = contacts_of(cc_agent_client.get("/api/v2/contacts?sortBy=phoneNumber,type&limit=1000"))

    keys = [(c["phoneNumber"] or "\uffff", c["type"], c["id"]) for c in contacts]  # empty sorts last
    assert keys == sorted(keys)


@pytest.mark.django_db
def test_paging_reports_the_total_and_caps_the_limit(cc_agent_client, crowd):
    body = cc_agent_client.get("/api/v2/contacts?limit=5&offset=44").json()
    assert body["totalCount"] == 46
    assert len(body["contacts"]) == 2

    assert len(contacts_of(cc_agent_client.get("/api/v2/contacts?limit=5000"))) == 46
    assert contacts_of(cc_agent_client.get("/api/v2/contacts?limit=0")) == []
    assert contacts_of(cc_agent_client.get(f"/api/v2/contacts?offset={10**30}")) == []


@pytest.mark.django_db
def test_default_limit_is_100(cc_agent_client, make_user):
    CustomContact.objects.bulk_create(CustomContact(name=f"c{n:03d}") for n in range(120))

    body = cc_agent_client.get("/api/v2/contacts").json()

    assert body["totalCount"] == 121
    assert len(body["contacts"]) == 100


@pytest.mark.django_db
def test_a_page_costs_the_same_queries_whatever_its_size(cc_agent_client, crowd):
    cc_agent_client.get("/api/v2/contacts?limit=1")  # warm the credential cache

    def queries_for(query: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert cc_agent_client.get(f"/api/v2/contacts?{query}").status_code == 200
        return len(captured.captured_queries)

    one = queries_for("limit=1")
    hundred = queries_for("limit=100&sortBy=type,name")
    filtered = queries_for("limit=100&type=user&phoneNumber=1")
    assert one == hundred == filtered
    # user (Basic auth, with its role names), the count, the page
    assert one == 3

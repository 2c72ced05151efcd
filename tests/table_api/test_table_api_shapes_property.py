"""Property: for random leads and random field lists, every combination of
``sysparm_display_value`` (false/true/all) and ``sysparm_exclude_reference_link`` answers the
platform's shapes: every leaf a string; references ``{"link", "value"}`` / ``{"display_value",
"link"}`` / plain text when links are excluded, ``""`` when empty; ``all`` gives every field
``{"display_value", "value"}`` (plus ``link`` on references); and the values are the stored ones
(choice labels, the caller's time zone and referenced names in the display forms)."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csm_project.core.models import Role, TableAccess
from csm_project.core.records.choices import choices_ensure
from csm_project.registry import get_table
from leads.demo import CHOICES
from leads.models import LEAD_TABLE, Lead
from tests.contacts.factories_contacts import AccountFactory

ZONE = "America/New_York"
STAGES = dict(CHOICES["stage"])
EXTRA_NAMES = ["account.name", "account.city", "owner.user_name", "no_such_field", "password"]
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)

LEADS = st.fixed_dictionaries(
    {
        "last_name": TEXT.filter(lambda text: text.strip() != ""),
        "first_name": st.none() | TEXT,
        "stage": st.sampled_from(sorted(STAGES)),
        "lead_score": st.none() | st.decimals(min_value=-9999, max_value=9999, places=2),
        "do_not_call": st.booleans(),
        "closed_date": st.none()
        | st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 12, 31)).map(
            lambda value: value.replace(microsecond=0, tzinfo=UTC)
        ),
        "with_account": st.booleans(),
        "with_owner": st.booleans(),
    }
)


def field_lists():
    names = sorted(get_table(LEAD_TABLE).fields)
    return st.none() | st.lists(st.sampled_from(names + EXTRA_NAMES), min_size=1, max_size=8, unique=True)


@pytest.fixture
def world(client_for):
    for element, values in CHOICES.items():
        choices_ensure(table=LEAD_TABLE, element=element, values=values)
    # The dot-walks asked (account.city, owner.user_name) need the read right on their tables.
    TableAccess.objects.get(table="sys_user").read_roles.add(Role.objects.get(name="csm_ws_integration"))
    client = client_for("sn_lead_mgmt_core.lead_integrator", "csm_ws_integration", time_zone=ZONE)
    return {"client": client, "account": AccountFactory(name="Acme", city="Oslo"), "owner": client.user}


def leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    else:
        yield value


def expected_value(name: str, lead: Lead, world) -> tuple[str, str] | None:
    """(value, display value) computed here from the Python objects, for the fields we set."""
    account, owner = lead.account, lead.owner
    if name == "stage":
        return lead.stage, STAGES[lead.stage]
    if name == "do_not_call":
        text = "true" if lead.do_not_call else "false"
        return text, text
    if name == "closed_date":
        if lead.closed_date is None:
            return "", ""
        return (
            lead.closed_date.strftime("%Y-%m-%d %H:%M:%S"),
            lead.closed_date.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M:%S"),
        )
    if name == "lead_score":
        text = "" if lead.lead_score is None else f"{Decimal(lead.lead_score):.2f}"
        return text, text
    if name in ("last_name", "first_name"):
        text = getattr(lead, name) or ""
        return text, text
    if name == "account":
        return (account.sys_id, "Acme") if account else ("", "")
    if name == "owner":
        return (owner.sys_id, owner.name) if owner else ("", "")
    if name == "account.name":
        return ("Acme", "Acme") if account else ("", "")
    if name == "owner.user_name":
        return (owner.user_name, owner.user_name) if owner else ("", "")
    return None


REFERENCES = {"account": "customer_account", "owner": "sys_user"}


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=LEADS, fields=st.deferred(field_lists))
def test_every_display_mode_answers_the_platform_shapes(world, data, fields):
    lead = Lead.objects.create(
        last_name=data["last_name"],
        first_name=data["first_name"],
        stage=data["stage"],
        lead_score=data["lead_score"],
        do_not_call=data["do_not_call"],
        closed_date=data["closed_date"],
        account=world["account"] if data["with_account"] else None,
        owner=world["owner"] if data["with_owner"] else None,
    )
    lead.refresh_from_db()
    table = get_table(LEAD_TABLE)
    wanted = sorted(table.fields) if fields is None else [name for name in fields if name not in EXTRA_NAMES[3:]]
    answers = {}
    for mode in ("false", "true", "all"):
        for exclude in ("false", "true"):
            params = {"sysparm_display_value": mode, "sysparm_exclude_reference_link": exclude}
            if fields is not None:
                params["sysparm_fields"] = ",".join(fields)
            response = world["client"].get(f"/api/now/table/{LEAD_TABLE}/{lead.sys_id}", params)
            assert response.status_code == 200
            result = response.json()["result"]
            assert sorted(result) == sorted(wanted)
            assert all(isinstance(leaf, str) for leaf in leaves(result))
            answers[mode, exclude] = result

    for name in wanted:
        target = REFERENCES.get(name) or (
            table.fields[name].reference if name in table.fields and table.fields[name].is_reference else None
        )
        value_form, display_form = answers["false", "false"][name], answers["true", "false"][name]
        both, both_plain = answers["all", "false"][name], answers["all", "true"][name]
        assert isinstance(both, dict) and isinstance(both_plain, dict)
        if target is None:
            assert isinstance(value_form, str) and isinstance(display_form, str)
            assert answers["false", "true"][name] == value_form and answers["true", "true"][name] == display_form
            assert both == both_plain == {"display_value": display_form, "value": value_form}
            value, shown = value_form, display_form
        elif both["value"] == "":
            assert value_form == display_form == answers["false", "true"][name] == answers["true", "true"][name] == ""
            assert both == both_plain == {"display_value": "", "value": ""}
            value, shown = "", ""
        else:
            value, shown = both["value"], both["display_value"]
            link = f"http://testserver/api/now/table/{target}/{value}"
            assert value_form == {"link": link, "value": value}
            assert display_form == {"display_value": shown, "link": link}
            assert answers["false", "true"][name] == value and answers["true", "true"][name] == shown
            assert both == {"display_value": shown, "link": link, "value": value}
            assert both_plain == {"display_value": shown, "value": value}
        expected = expected_value(name, lead, world)
        if expected is not None:
            assert (value, shown) == expected, name

"""Table API details the vendor's page documents: v1's 404 for an empty list, the
``X-no-response-body`` and ``X-HTTP-Method-Override`` headers, and date-times given as display
values read in the caller's time zone."""

from datetime import UTC, datetime

import pytest

from contacts.models import Account, Contact
from tests.contacts.factories_contacts import AccountFactory, ContactFactory

ACCOUNTS = "/api/now/table/customer_account"


@pytest.fixture
def writer(client_for):
    return client_for("csm_ws_integration")


# --- v1: an empty list is a 404 ---------------------------------------------------------------


def test_v1_answers_an_empty_list_with_404_and_the_envelope(writer):
    AccountFactory(name="Acme")

    response = writer.get("/api/now/v1/table/customer_account", {"sysparm_query": "name=Nobody"})

    assert response.status_code == 404
    assert response.json() == {
        "error": {"message": "No Record found", "detail": "Records not found"},
        "status": "failure",
    }


@pytest.mark.parametrize("base", ["/api/now/v2/table/customer_account", ACCOUNTS])
def test_v2_and_unversioned_answer_an_empty_list_with_200(writer, base):
    response = writer.get(base, {"sysparm_query": "name=Nobody"})

    assert response.status_code == 200
    assert response.json() == {"result": []}
    assert response["X-Total-Count"] == "0"


def test_v1_still_answers_a_list_that_has_rows(writer):
    acme = AccountFactory(name="Acme")

    response = writer.get("/api/now/v1/table/customer_account", {"sysparm_query": "name=Acme"})

    assert response.status_code == 200
    assert [row["sys_id"] for row in response.json()["result"]] == [acme.sys_id]


# --- X-no-response-body ---------------------------------------------------------------------


def test_post_without_response_body_keeps_status_and_location(writer):
    response = writer.post(ACCOUNTS, {"name": "Quiet"}, format="json", HTTP_X_NO_RESPONSE_BODY="true")

    assert response.status_code == 201
    assert response.content == b""
    account = Account.objects.get(name="Quiet")
    assert response["Location"] == f"http://testserver{ACCOUNTS}/{account.sys_id}"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_without_response_body_writes_and_answers_200_empty(writer, method):
    acme = AccountFactory(name="Acme")

    response = getattr(writer, method)(
        f"{ACCOUNTS}/{acme.sys_id}", {"name": "Acme Two"}, format="json", HTTP_X_NO_RESPONSE_BODY="TRUE"
    )

    assert response.status_code == 200
    assert response.content == b""
    acme.refresh_from_db()
    assert acme.name == "Acme Two"


def test_no_response_body_false_keeps_the_body(writer):
    response = writer.post(ACCOUNTS, {"name": "Loud"}, format="json", HTTP_X_NO_RESPONSE_BODY="false")

    assert response.status_code == 201
    assert response.json()["result"]["name"] == "Loud"


def test_a_refused_write_still_answers_its_error_body(writer):
    response = writer.post(ACCOUNTS, {"name": ""}, format="json", HTTP_X_NO_RESPONSE_BODY="true")

    assert response.status_code == 400
    assert response.json()["status"] == "failure"


# --- X-HTTP-Method-Override -----------------------------------------------------------------


@pytest.mark.parametrize("override", ["PATCH", "put"])
def test_post_with_override_updates(writer, override):
    acme = AccountFactory(name="Acme")

    response = writer.post(
        f"{ACCOUNTS}/{acme.sys_id}", {"name": "Renamed"}, format="json", HTTP_X_HTTP_METHOD_OVERRIDE=override
    )

    assert response.status_code == 200, response.content
    assert response.json()["result"]["name"] == "Renamed"
    acme.refresh_from_db()
    assert acme.name == "Renamed"


def test_post_with_override_deletes(writer):
    acme = AccountFactory(name="Acme")

    response = writer.post(f"{ACCOUNTS}/{acme.sys_id}", HTTP_X_HTTP_METHOD_OVERRIDE="DELETE")

    assert response.status_code == 204
    assert not Account.objects.filter(pk=acme.pk).exists()


def test_override_has_the_rights_of_the_direct_call(client_for):
    reader = client_for("interaction_agent")  # no right on customer_account
    acme = AccountFactory(name="Acme")
    url = f"{ACCOUNTS}/{acme.sys_id}"

    direct = reader.patch(url, {"name": "Mine"}, format="json")
    overridden = reader.post(url, {"name": "Mine"}, format="json", HTTP_X_HTTP_METHOD_OVERRIDE="PATCH")
    deleted = reader.post(url, HTTP_X_HTTP_METHOD_OVERRIDE="DELETE")

    assert direct.status_code == overridden.status_code == deleted.status_code == 403
    assert overridden.json() == direct.json()
    assert "update" in overridden.json()["error"]["message"]
    acme.refresh_from_db()
    assert acme.name == "Acme"


@pytest.mark.parametrize("override", ["GET", "HEAD", "TRACE", "POST!"])
def test_override_to_anything_else_is_a_400(writer, override):
    acme = AccountFactory(name="Acme")

    response = writer.post(f"{ACCOUNTS}/{acme.sys_id}", {"name": "x"}, format="json",
                           HTTP_X_HTTP_METHOD_OVERRIDE=override)  # fmt: skip

    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "failure"
    assert "X-HTTP-Method-Override" in body["error"]["message"]
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_override_is_ignored_on_other_methods(writer):
    acme = AccountFactory(name="Acme")

    response = writer.get(f"{ACCOUNTS}/{acme.sys_id}", HTTP_X_HTTP_METHOD_OVERRIDE="DELETE")

    assert response.status_code == 200
    assert Account.objects.filter(pk=acme.pk).exists()


# --- sysparm_input_display_value and time zones ------------------------------------------------


def test_input_display_value_reads_date_times_in_the_callers_time_zone(client_for):
    writer = client_for("csm_ws_integration", time_zone="America/New_York")
    contact = ContactFactory()

    response = writer.patch(
        f"/api/now/table/customer_contact/{contact.sys_id}?sysparm_input_display_value=true",
        {"last_position_update": "2026-07-01 09:30:00"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["result"]["last_position_update"] == "2026-07-01 13:30:00"  # EDT is UTC-4
    contact = Contact.objects.get(pk=contact.pk)
    assert contact.last_position_update == datetime(2026, 7, 1, 13, 30, tzinfo=UTC)


def test_without_input_display_value_date_times_are_utc(client_for):
    writer = client_for("csm_ws_integration", time_zone="America/New_York")
    contact = ContactFactory()

    response = writer.patch(
        f"/api/now/table/customer_contact/{contact.sys_id}",
        {"last_position_update": "2026-07-01 09:30:00"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["result"]["last_position_update"] == "2026-07-01 09:30:00"


def test_input_display_value_without_a_user_zone_uses_the_instance_zone(client_for, settings):
    settings.TIME_ZONE = "Europe/Paris"
    writer = client_for("csm_ws_integration", time_zone="")
    contact = ContactFactory()

    response = writer.patch(
        f"/api/now/table/customer_contact/{contact.sys_id}?sysparm_input_display_value=true",
        {"last_position_update": "2026-01-15 12:00:00"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["result"]["last_position_update"] == "2026-01-15 11:00:00"  # CET is UTC+1


def test_input_display_value_refuses_a_malformed_date_time(client_for):
    writer = client_for("csm_ws_integration", time_zone="America/New_York")
    contact = ContactFactory()

    response = writer.patch(
        f"/api/now/table/customer_contact/{contact.sys_id}?sysparm_input_display_value=true",
        {"last_position_update": "July 1st"},
        format="json",
    )

    assert response.status_code == 400
    assert "last_position_update" in str(response.json()["error"])

"""Batch API: items answered one by one, each as the caller's own direct request would be."""

import base64
import json

import pytest
from django.test import override_settings

from contacts.models import Account
from leads.models import LEAD_TABLE, Lead
from tests.conftest import basic_auth

BATCH = "/api/now/v1/batch"


def b64(value) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.b64encode(raw).decode()


def item(ident, method, url, body=None, headers=None, **extra):
    entry = {"id": ident, "method": method, "url": url, "headers": headers or [], **extra}
    if body is not None:
        entry["body"] = b64(body)
    return entry


JSON = [{"name": "Content-Type", "value": "application/json"}, {"name": "Accept", "value": "application/json"}]


def answered(response) -> dict:
    assert response.status_code == 200, response.content
    data = response.json()
    return {entry["id"]: entry for entry in data["serviced_requests"]}


def body_of(entry):
    return json.loads(base64.b64decode(entry["body"])) if entry["body"] else None


@pytest.fixture
def caller(client_for):
    return client_for("csm_ws_integration")


def test_mixed_batch_is_answered_item_by_item(caller):
    Account.objects.create(name="Existing")
    response = caller.post(
        BATCH,
        {
            "batch_request_id": 7,
            "rest_requests": [
                item("get", "GET", "/api/now/table/customer_account?sysparm_fields=name", headers=JSON),
                item("post", "POST", "/api/now/table/customer_account", {"name": "Made in batch"}, JSON),
                item("refused", "POST", f"/api/now/table/{LEAD_TABLE}", {"last_name": "Nope"}, JSON),
                {"id": "malformed", "method": "POST", "url": "/api/now/table/customer_account", "body": "%%%"},
                item("unknown", "GET", "/api/now/nothing_here", headers=JSON),
            ],
        },
        format="json",
    )

    data = response.json()
    assert data["batch_request_id"] == "7"
    assert data["unserviced_requests"] == []
    answers = answered(response)
    assert [entry["id"] for entry in data["serviced_requests"]] == ["get", "post", "refused", "malformed", "unknown"]
    assert answers["get"]["status_code"] == 200 and answers["get"]["status_text"] == "OK"
    assert body_of(answers["get"]) == {"result": [{"name": "Existing"}]}
    assert {"name": "X-Total-Count", "value": "1"} in answers["get"]["headers"]
    assert answers["post"]["status_code"] == 201
    assert body_of(answers["post"])["result"]["name"] == "Made in batch"
    assert answers["refused"]["status_code"] == 403
    assert body_of(answers["refused"]) == {
        "error": {"message": "Insufficient rights to create records", "detail": None},
        "status": "failure",
    }
    assert answers["malformed"]["status_code"] == 400
    assert body_of(answers["malformed"])["error"]["message"] == "Exception while reading request"
    assert answers["unknown"]["status_code"] == 404
    assert all(isinstance(entry["execution_time"], int) for entry in answers.values())
    assert sorted(Account.objects.values_list("name", flat=True)) == ["Existing", "Made in batch"]
    assert not Lead.objects.exists()


def test_a_failing_item_writes_nothing_and_undoes_no_other_item(caller):
    response = caller.post(
        BATCH,
        {
            "batch_request_id": "b",
            "rest_requests": [
                item("first", "POST", "/api/now/table/customer_account", {"name": "First"}, JSON),
                # Refused by a domain rule (mandatory name) after parsing: nothing of it is kept.
                item("bad", "POST", "/api/now/table/customer_account", {"name": "", "city": "Nowhere"}, JSON),
                item("last", "POST", "/api/now/table/customer_account", {"name": "Last"}, JSON),
            ],
        },
        format="json",
    )

    answers = answered(response)
    assert [answers[key]["status_code"] for key in ("first", "bad", "last")] == [201, 400, 201]
    assert sorted(Account.objects.values_list("name", flat=True)) == ["First", "Last"]
    assert not Account.objects.filter(city="Nowhere").exists()


def test_items_act_as_the_caller_whatever_their_own_headers_say(caller, client_for):
    admin = client_for("admin")
    response = caller.post(
        BATCH,
        {
            "rest_requests": [
                item("x", "GET", f"/api/now/table/{LEAD_TABLE}",
                     headers=[{"name": "Authorization", "value": basic_auth(admin.user.user_name)}]),
            ]
        },
        format="json",
    )  # fmt: skip

    assert answered(response)["x"]["status_code"] == 403


def test_xml_items_and_excluded_headers(caller):
    xml_body = b"<request><entry><name>From XML</name></entry></request>"
    xml = [{"name": "Content-Type", "value": "application/xml"}, {"name": "Accept", "value": "application/xml"}]
    response = caller.post(
        BATCH,
        {
            "rest_requests": [
                item("create", "POST", "/api/now/table/customer_account", xml_body, xml),
                item("read", "GET", "/api/now/table/customer_account?sysparm_fields=name", headers=xml,
                     exclude_response_headers=True),
            ]
        },
        format="json",
    )  # fmt: skip

    answers = answered(response)
    assert answers["create"]["status_code"] == 201
    assert {"name": "Content-Type", "value": "application/xml; charset=utf-8"} in answers["create"]["headers"]
    assert answers["read"]["headers"] == []
    content = base64.b64decode(answers["read"]["body"])
    assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?><response><result><name>From XML</name>')


def test_items_past_the_limits_are_listed_unserviced(caller):
    big = {"name": "x" * 2000}
    requests_ = [
        item("1", "POST", "/api/now/table/customer_account", {"name": "one"}, JSON),
        item("2", "POST", "/api/now/table/customer_account", big, JSON),
        item("3", "POST", "/api/now/table/customer_account", {"name": "three"}, JSON),
        item("4", "POST", "/api/now/table/customer_account", {"name": "four"}, JSON),
    ]
    with override_settings(BATCH_API_MAX_ITEMS=3, BATCH_API_MAX_ITEM_BYTES=1000):
        response = caller.post(BATCH, {"batch_request_id": "1", "rest_requests": requests_}, format="json")

    assert list(answered(response)) == ["1", "3"]
    assert response.json()["unserviced_requests"] == ["2", "4"]
    assert sorted(Account.objects.values_list("name", flat=True)) == ["one", "three"]


def test_items_past_the_time_limit_are_listed_unserviced(caller, monkeypatch):
    from csm_project.batch_api import views

    clock = iter(range(0, 1000, 10))  # every reading of the clock is 10 s after the last
    monkeypatch.setattr(views, "clock", lambda: next(clock))
    requests_ = [item(str(n), "GET", "/api/now/table/customer_account", headers=JSON) for n in range(5)]
    with override_settings(BATCH_API_MAX_SECONDS=25):
        response = caller.post(BATCH, {"rest_requests": requests_}, format="json")

    assert list(answered(response)) == ["0", "1"]
    assert response.json()["unserviced_requests"] == ["2", "3", "4"]


@pytest.mark.parametrize(
    "raw, reason",
    [
        ({"id": "m", "url": "/api/now/table/customer_account"}, "Unsupported method"),
        ({"id": "m", "method": "GET"}, "needs a url"),
        ({"id": "m", "method": "GET", "url": "/admin/"}, "under /api/"),
        ({"id": "m", "method": "POST", "url": "/api/now/v1/batch"}, "cannot be a batch"),
        ({"id": "m", "method": "GET", "url": "/api/now/table/customer_account", "headers": "x"}, "headers"),
        ({"method": "GET", "url": "/api/now/table/customer_account"}, "needs an id"),
        ("not an object", "must be an object"),
    ],
)
def test_malformed_items_get_their_own_400(caller, raw, reason):
    response = caller.post(BATCH, {"rest_requests": [raw, item("ok", "GET", "/api/now/table/customer_account")]},
                           format="json")  # fmt: skip

    data = response.json()
    bad, good = data["serviced_requests"]
    assert bad["status_code"] == 400 and reason in body_of(bad)["error"]["detail"]
    assert good["id"] == "ok" and good["status_code"] == 200


def test_the_batch_itself_needs_credentials_and_a_request_list(anonymous_client, caller):
    refused = anonymous_client.post(BATCH, {"rest_requests": []}, format="json")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "User Not Authenticated"
    bad = caller.post("/api/now/batch", {"requests": []}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["message"] == "Exception while reading request"
    assert caller.post("/api/now/batch", {"rest_requests": []}, format="json").json() == {
        "batch_request_id": "",
        "serviced_requests": [],
        "unserviced_requests": [],
    }


def test_a_session_caller_batches_with_its_csrf_token(make_user):
    from django.test import Client

    user = make_user("csm_ws_integration")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    browser.get("/admin/login/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    payload = {"rest_requests": [item("p", "POST", "/api/now/table/customer_account", {"name": "By session"}, JSON)]}

    refused = browser.post(BATCH, payload, content_type="application/json")
    accepted = browser.post(BATCH, payload, content_type="application/json", HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert answered(accepted)["p"]["status_code"] == 201
    assert list(Account.objects.values_list("name", "sys_created_by")) == [("By session", user.user_name)]

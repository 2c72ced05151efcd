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


def batch_json(response) -> dict:
    """The answer's JSON: a batch's answer is streamed (read once, then kept on the response);
    a refused batch is a plain envelope."""
    if not hasattr(response, "batch_json"):
        content = b"".join(response.streaming_content) if response.streaming else response.content
        response.batch_json = json.loads(content)
    return response.batch_json


def answered(response) -> dict:
    assert response.status_code == 200, batch_json(response)
    data = batch_json(response)
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

    data = batch_json(response)
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
    assert batch_json(response)["unserviced_requests"] == ["2", "4"]
    assert sorted(Account.objects.values_list("name", flat=True)) == ["one", "three"]


def test_items_past_the_time_limit_are_listed_unserviced(caller, monkeypatch):
    from csm_project.batch_api import views

    clock = iter(range(0, 1000, 10))  # every reading of the clock is 10 s after the last
    monkeypatch.setattr(views, "clock", lambda: next(clock))
    requests_ = [item(str(n), "GET", "/api/now/table/customer_account", headers=JSON) for n in range(5)]
    with override_settings(BATCH_API_MAX_SECONDS=25):
        response = caller.post(BATCH, {"rest_requests": requests_}, format="json")

    assert list(answered(response)) == ["0", "1"]
    assert batch_json(response)["unserviced_requests"] == ["2", "3", "4"]


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

    data = batch_json(response)
    bad, good = data["serviced_requests"]
    assert bad["status_code"] == 400 and reason in body_of(bad)["error"]["detail"]
    assert good["id"] == "ok" and good["status_code"] == 200


def test_the_batch_itself_needs_credentials_and_a_request_list(anonymous_client, caller):
    refused = anonymous_client.post(BATCH, {"rest_requests": []}, format="json")
    assert refused.status_code == 401
    assert batch_json(refused)["error"]["message"] == "User Not Authenticated"
    bad = caller.post("/api/now/batch", {"requests": []}, format="json")
    assert bad.status_code == 400 and batch_json(bad)["error"]["message"] == "Exception while reading request"
    assert batch_json(caller.post("/api/now/batch", {"rest_requests": []}, format="json")) == {
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


# --- what an item may be ------------------------------------------------------------------------


def test_an_item_answered_4xx_keeps_nothing_it_wrote(client_for):
    """The view writes, then answers 409 without raising: the item's transaction undoes the write
    while the next item's write stays."""
    from csm_project.core.models import Role

    caller = client_for("interaction_agent", "csm_ws_integration")
    with override_settings(ROOT_URLCONF="tests.core.plumbing_urls"):
        response = caller.post(
            BATCH,
            {
                "rest_requests": [
                    item("refused", "POST", "/api/now/probe/write-then-refuse", {"name": "undone"}, JSON),
                    item("kept", "POST", "/api/now/table/customer_account", {"name": "Kept"}, JSON),
                ]
            },
            format="json",
        )

    answers = answered(response)
    assert answers["refused"]["status_code"] == 409
    assert answers["kept"]["status_code"] == 201
    assert not Role.objects.filter(name="undone").exists()
    assert Account.objects.filter(name="Kept").exists()


@pytest.mark.parametrize("url", ["/api/now/batch", "/api/now/v1/batch", "/api/now/v1/batch/", "/api/now/batch?x=1"])
def test_an_item_is_never_itself_a_batch(caller, url):
    nested = {"rest_requests": [item("inner", "POST", "/api/now/table/customer_account", {"name": "Nested"}, JSON)]}

    answers = answered(caller.post(BATCH, {"rest_requests": [item("outer", "POST", url, nested, JSON)]}, format="json"))

    assert answers["outer"]["status_code"] == 400
    assert "cannot be a batch" in body_of(answers["outer"])["error"]["detail"]
    assert not Account.objects.filter(name="Nested").exists()


def test_the_item_size_limit_is_on_the_decoded_body(caller):
    def sized(ident: str, size: int) -> dict:
        name = "n" * (size - len(json.dumps({"name": ""})))
        return item(ident, "POST", "/api/now/table/customer_account", {"name": name}, JSON)

    fits, over = sized("fits", 240), sized("over", 243)
    assert len(base64.b64decode(fits["body"])) == 240 and len(fits["body"]) == 320  # base64: 4 characters per 3 bytes
    with override_settings(BATCH_API_MAX_ITEM_BYTES=240):
        response = caller.post(BATCH, {"rest_requests": [fits, over]}, format="json")

    assert list(answered(response)) == ["fits"]
    assert batch_json(response)["unserviced_requests"] == ["over"]


def test_a_lone_surrogate_anywhere_in_the_batch_is_a_400(caller):
    bad_id = '{"rest_requests": [{"id": "\\udfff", "method": "GET", "url": "/api/now/table/customer_account"}]}'
    for text in ['{"batch_request_id": "\\ud800", "rest_requests": []}', bad_id]:
        response = caller.generic("POST", BATCH, text.encode(), content_type="application/json")
        assert response.status_code == 400
        assert batch_json(response)["error"]["message"] == "Exception while reading request"
        assert "surrogate" in batch_json(response)["error"]["detail"]


@pytest.mark.parametrize(
    "raw, reason",
    [
        ({"headers": [{"name": "Content-Type", "value": "application/json\r\nX-Injected: 1"}]}, "control character"),
        ({"headers": [{"name": "Accept", "value": "application/json\x00"}]}, "control character"),
        ({"headers": [{"name": "Bad Name", "value": "x"}]}, "Invalid header name"),
        ({"headers": [{"name": "X-A:\r\nB", "value": "x"}]}, "Invalid header name"),
        ({"url": "/api/now/table/customer_account\r\nHost: evil"}, "control characters"),
        ({"url": "/api/now/table/customer account"}, "spaces"),
    ],
)
def test_hostile_headers_and_urls_are_the_items_own_400(caller, raw, reason):
    bad = {"id": "bad", "method": "POST", "url": "/api/now/table/customer_account", **raw,
           "body": b64({"name": "Never"})}  # fmt: skip

    payload = {"rest_requests": [bad, item("ok", "GET", "/api/now/table/customer_account")]}
    answers = answered(caller.post(BATCH, payload, format="json"))

    assert answers["bad"]["status_code"] == 400 and reason in body_of(answers["bad"])["error"]["detail"]
    assert answers["ok"]["status_code"] == 200
    assert not Account.objects.filter(name="Never").exists()


def test_an_item_query_may_hold_any_character(caller):
    """Characters beyond ASCII as they are, a space percent-encoded (a raw one is no URL)."""
    Account.objects.create(name="Zoë 北京")

    answers = answered(caller.post(BATCH, {"rest_requests": [
        item("q", "GET", "/api/now/table/customer_account?sysparm_query=name=Zoë%20北京&sysparm_fields=name"),
    ]}, format="json"))  # fmt: skip

    assert answers["q"]["status_code"] == 200
    assert body_of(answers["q"]) == {"result": [{"name": "Zoë 北京"}]}


def test_a_fault_in_an_item_is_its_own_503_with_retry_after(caller, monkeypatch):
    from django.db import OperationalError

    from csm_project.table_api import views

    def down(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "record_create", down)
    answers = answered(caller.post(BATCH, {"rest_requests": [
        item("w", "POST", "/api/now/table/customer_account", {"name": "x"}, JSON),
        item("r", "GET", "/api/now/table/customer_account", headers=JSON),
    ]}, format="json"))  # fmt: skip

    assert answers["w"]["status_code"] == 503
    assert {"name": "Retry-After", "value": "5"} in answers["w"]["headers"]
    assert body_of(answers["w"])["error"]["message"] == "Service Unavailable"
    assert answers["r"]["status_code"] == 200


# --- how much an answer may carry ------------------------------------------------------------------


def test_reads_whose_answer_is_past_the_item_limit_are_unserviced(caller):
    for n in range(30):
        Account.objects.create(name=f"Account {n:02d}")
    small = item("small", "GET", "/api/now/table/customer_account?sysparm_limit=1&sysparm_fields=name")
    large = item("large", "GET", "/api/now/table/customer_account?sysparm_fields=name")
    write = item("write", "POST", "/api/now/table/customer_account", {"name": "w" * 200}, JSON)

    with override_settings(BATCH_API_MAX_ITEM_ANSWER_BYTES=300):
        response = caller.post(BATCH, {"rest_requests": [small, large, write]}, format="json")
        lowered = caller.post(BATCH, {"rest_requests": [small]}, format="json",
                              HTTP_X_BATCHREQUEST_MAX_OUTPUT_SIZE="10")  # fmt: skip

    answers = answered(response)
    assert list(answers) == ["small", "write"]  # a write's answer is kept whole, past the limit or not
    assert len(base64.b64decode(answers["write"]["body"])) > 300
    assert batch_json(response)["unserviced_requests"] == ["large"]
    assert batch_json(lowered)["unserviced_requests"] == ["small"]


def test_items_after_the_total_answer_limit_are_unserviced(caller):
    """Once the answers kept add up to the limit, no later item runs, a write included."""
    for n in range(5):
        Account.objects.create(name=f"Account {n}")
    read = item("0", "GET", "/api/now/table/customer_account?sysparm_fields=name")
    one_answer = len(
        base64.b64decode(answered(caller.post(BATCH, {"rest_requests": [read]}, format="json"))["0"]["body"])
    )
    write = item("write", "POST", "/api/now/table/customer_account", {"name": "Late"}, JSON)
    items = [read, {**read, "id": "1"}, write, {**read, "id": "3"}]

    with override_settings(BATCH_API_MAX_ANSWER_BYTES=2 * one_answer):
        response = caller.post(BATCH, {"rest_requests": items}, format="json")

    assert list(answered(response)) == ["0", "1"]
    assert batch_json(response)["unserviced_requests"] == ["write", "3"]
    assert not Account.objects.filter(name="Late").exists()

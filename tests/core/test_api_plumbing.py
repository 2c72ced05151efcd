"""The shared API layer: authentication, roles, envelopes, versions, formats, pagination."""

import json
from xml.etree import ElementTree

import pytest

from tests.conftest import basic_auth

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.plumbing_urls")]

ENVELOPE_KEYS = {"error", "status"}


def assert_envelope(response, status: int, message: str | None = None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["status"] == "failure"
    assert set(body["error"]) == {"message", "detail"}
    if message is not None:
        assert body["error"]["message"] == message
    return body


@pytest.mark.parametrize(
    "url", ["/api/now/probe", "/api/now/contact", "/api/now/nothing/here", "/api/sn_lead_mgmt_core/lead", "/api/"]
)
def test_anonymous_request_is_401_with_envelope_and_basic_challenge(anonymous_client, url):
    response = anonymous_client.get(url)
    body = assert_envelope(response, 401, "User Not Authenticated")
    assert body["error"]["detail"] == "Required to provide Auth information"
    assert response["WWW-Authenticate"].startswith('Basic realm="')


def test_wrong_password_is_401(anonymous_client, make_user):
    user = make_user("csm_ws_integration")
    anonymous_client.credentials(HTTP_AUTHORIZATION=basic_auth(user.user_name, "wrong"))
    assert_envelope(anonymous_client.get("/api/now/probe"), 401, "User Not Authenticated")


def test_inactive_user_is_refused(client_for):
    client = client_for("csm_ws_integration", active=False)
    assert client.get("/api/now/probe").status_code == 401


@pytest.mark.parametrize("method", ["get", "post"])
def test_user_without_the_role_is_403_with_envelope(no_role_client, method):
    response = getattr(no_role_client, method)("/api/now/probe", {}, format="json")
    body = assert_envelope(response, 403)
    assert body["error"]["message"].startswith("Insufficient rights to")
    assert body["error"]["detail"] is None


def test_role_for_one_method_does_not_open_another(contact_integration_client):
    assert contact_integration_client.get("/api/now/probe").status_code == 200
    assert_envelope(
        contact_integration_client.post("/api/now/probe", {"a": 1}, format="json"),
        403,
        "Insufficient rights to create records",
    )


def test_undeclared_method_role_is_denied_by_default(client_for):
    client = client_for("csm_ws_integration", "interaction_agent")
    assert_envelope(client.delete("/api/now/probe/x"), 403)


@pytest.mark.parametrize("kwargs", [{"is_superuser": True}, {}])
def test_superuser_and_admin_role_hold_every_role(client_for, kwargs):
    client = client_for(**kwargs) if kwargs else client_for("admin")
    assert client.get("/api/now/probe").status_code == 200
    assert client.post("/api/now/probe", {"a": 1}, format="json").status_code == 201


def test_unknown_url_under_api_is_404_envelope(admin_client_api):
    body = assert_envelope(
        admin_client_api.get("/api/now/no_such_table"), 404, "Requested URI does not represent any resource"
    )
    assert body["error"]["detail"] is None


def test_unknown_record_is_404_envelope(admin_client_api):
    body = assert_envelope(admin_client_api.get("/api/now/probe/not-a-sys-id"), 404, "No Record found")
    assert body["error"]["detail"] == "Record doesn't exist or ACL restricts the record retrieval"


def test_versioned_and_default_urls_are_the_same_endpoint(admin_client_api):
    default = admin_client_api.get("/api/now/probe").json()
    assert admin_client_api.get("/api/now/v1/probe").json() == default


def test_unknown_version_is_400_envelope(admin_client_api):
    assert_envelope(admin_client_api.get("/api/now/v7/probe"), 400, "Requested URI does not represent any resource")


def test_unsupported_method_is_405_envelope(admin_client_api):
    assert_envelope(admin_client_api.put("/api/now/probe", {}, format="json"), 405, "Method not Supported")


def test_unproducible_accept_is_406_envelope(admin_client_api):
    assert_envelope(admin_client_api.get("/api/now/probe", HTTP_ACCEPT="text/csv"), 406)


def test_unreadable_content_type_is_415_envelope(admin_client_api):
    response = admin_client_api.post("/api/now/probe", data="a=b", content_type="text/plain")
    assert_envelope(response, 415, "Requested content type is not supported")


def test_malformed_json_is_400_read_error(admin_client_api):
    response = admin_client_api.post("/api/now/probe", data="{not json", content_type="application/json")
    body = assert_envelope(response, 400, "Exception while reading request")
    assert "Invalid JSON" in body["error"]["detail"]


def test_oversized_body_is_400_read_error(admin_client_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    payload = json.dumps({"x": "y" * 2000})
    response = admin_client_api.post("/api/now/probe", data=payload, content_type="application/json")
    body = assert_envelope(response, 400, "Exception while reading request")
    assert "larger than" in body["error"]["detail"]


def test_unexpected_fault_is_500_envelope_without_stack_trace(admin_client_api, caplog):
    response = admin_client_api.get("/api/now/probe/explode")
    assert_envelope(response, 500, "Internal server error")
    assert b"secret internal detail" not in response.content
    assert b"Traceback" not in response.content
    assert "secret internal detail" in caplog.text  # logged for the operator


def test_xml_response_has_one_result_element_per_record(admin_client_api):
    response = admin_client_api.get("/api/now/probe?sysparm_limit=3", HTTP_ACCEPT="application/xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    root = ElementTree.fromstring(response.content)
    assert root.tag == "response"
    names = [result.findtext("name") for result in root.findall("result")]
    assert names == [r["name"] for r in admin_client_api.get("/api/now/probe?sysparm_limit=3").json()["result"]]
    assert root.findtext("hasMore") == "true"


def test_xml_error_envelope(anonymous_client):
    response = anonymous_client.get("/api/now/probe", HTTP_ACCEPT="application/xml")
    assert response.status_code == 401
    root = ElementTree.fromstring(response.content)
    assert root.findtext("error/message") == "User Not Authenticated"
    assert root.findtext("status") == "failure"


def test_xml_request_body_is_read_as_a_map(admin_client_api):
    body = "<request><entry><channel>abc</channel><context><a>1</a></context></entry></request>"
    response = admin_client_api.post("/api/now/probe", data=body, content_type="application/xml")
    assert response.json()["result"] == {"channel": "abc", "context": {"a": "1"}}


def test_hostile_xml_is_refused(admin_client_api):
    bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><request>&b;</request>'
    assert_envelope(
        admin_client_api.post("/api/now/probe", data=bomb, content_type="application/xml"),
        400,
        "Exception while reading request",
    )


def test_pagination_headers_and_has_more_agree(admin_client_api):
    total = 9  # the role catalogue (the platform's six, import_transformer, the customer's and the consumer's)
    seen = []
    offset = 0
    while True:
        response = admin_client_api.get(f"/api/now/probe?sysparm_offset={offset}&keep=me")
        assert response["X-Total-Count"] == str(total)
        body = response.json()
        seen += [r["name"] for r in body["result"]]
        links = response["Link"]
        assert 'rel="first"' in links and 'rel="last"' in links
        assert "keep=me" in links and links.count("http://testserver/api/now/probe?") == links.count("rel=")
        assert ('rel="prev"' in links) == (offset > 0)
        assert ('rel="next"' in links) == body["hasMore"]
        if not body["hasMore"]:
            break
        offset += 2
    assert len(seen) == total == len(set(seen))


@pytest.mark.parametrize("param", ["sysparm_limit=-1", "sysparm_limit=abc", "sysparm_offset=-5", "sysparm_offset=1.5"])
def test_bad_paging_parameter_is_400_envelope(admin_client_api, param):
    assert_envelope(admin_client_api.get(f"/api/now/probe?{param}"), 400)


def test_pagination_header_can_be_suppressed(admin_client_api):
    response = admin_client_api.get("/api/now/probe?sysparm_suppress_pagination_header=True")
    assert "Link" not in response
    assert response["X-Total-Count"] == "9"  # the role catalogue


@pytest.mark.parametrize("body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000])
def test_json_nested_past_the_recursion_limit_is_a_read_error(admin_client_api, body):
    response = admin_client_api.post("/api/now/probe", data=body, content_type="application/json")
    assert_envelope(response, 400, "Exception while reading request")


def test_xml_nested_past_the_recursion_limit_is_a_read_error(admin_client_api):
    body = "<request><entry>" + "<a>" * 5000 + "x" + "</a>" * 5000 + "</entry></request>"
    response = admin_client_api.post("/api/now/probe", data=body, content_type="application/xml")
    assert_envelope(response, 400, "Exception while reading request")


def test_xml_output_parses_even_when_a_value_holds_control_characters(admin_client_api):
    from csm_project.core.models import Role

    Role.objects.create(name="bell\x07and\x1besc")  # PostgreSQL refuses NUL itself
    response = admin_client_api.get("/api/now/probe?sysparm_limit=100", HTTP_ACCEPT="application/xml")
    names = [element.text for element in ElementTree.fromstring(response.content).iter("name")]
    assert "bell\ufffdand\ufffdesc" in names

"""The OpenAPI document at /api/schema/ and the explorer at /api/docs/."""

import json

import pytest
from django.core.management import call_command
from django.test import override_settings
from openapi_spec_validator import validate
from rest_framework import serializers
from rest_framework.test import APIClient

from tests.conftest import basic_auth
from tests.openapi.conformance import ResponseDoesNotConform, check_response

OPERATIONS = {
    ("/api/now/contact", "get"), ("/api/now/contact", "post"), ("/api/now/contact/{id}", "get"),
    ("/api/now/interaction", "post"), ("/api/now/interaction/{interaction_id}/close", "post"),
    ("/api/sn_lead_mgmt_core/lead", "get"), ("/api/sn_lead_mgmt_core/lead", "post"),
    ("/api/sn_customerservice/case", "get"), ("/api/sn_customerservice/case", "post"),
    ("/api/sn_customerservice/case/{case_id}", "get"), ("/api/sn_customerservice/case/{case_id}", "put"),
    ("/api/sn_customerservice/case/{case_id}/activities", "get"),
    ("/api/sn_customerservice/case/field_values/{field_name}", "get"),
    ("/api/sn_customerservice/case/{case_id}/field_values/{field_name}", "get"),
    ("/api/sn_lead_mgmt_core/lead/{id}", "get"), ("/api/sn_lead_mgmt_core/lead/{id}", "patch"),
    ("/api/v2/contacts", "get"), ("/api/v2/contacts", "post"), ("/api/v2/contacts/{sys_id}", "get"),
    ("/api/v2/contacts/{sys_id}", "put"), ("/api/v2/contacts/{sys_id}", "delete"),
    ("/api/now/table/{table}", "get"), ("/api/now/table/{table}", "post"),
    ("/api/now/table/{table}/{sys_id}", "get"), ("/api/now/table/{table}/{sys_id}", "put"),
    ("/api/now/table/{table}/{sys_id}", "patch"), ("/api/now/table/{table}/{sys_id}", "delete"),
    ("/api/now/stats/{table}", "get"), ("/api/now/batch", "post"),
    ("/api/now/attachment", "get"), ("/api/now/attachment/{sys_id}", "get"),
    ("/api/now/attachment/{sys_id}", "delete"), ("/api/now/attachment/{sys_id}/file", "get"),
    ("/api/now/attachment/file", "post"), ("/api/now/attachment/upload", "post"),
    ("/api/now/attachment/{sys_id}", "patch"),
    ("/api/now/import/{staging_table}", "post"), ("/api/now/import/{staging_table}/insertMultiple", "post"),
    ("/api/now/import/{staging_table}/{sys_id}", "get"),
    ("/api/now/account", "get"), ("/api/now/account/{id}", "get"),
    ("/api/now/consumer", "get"), ("/api/now/consumer", "post"), ("/api/now/consumer/{id}", "get"),
}  # fmt: skip


@pytest.fixture
def document(anonymous_client) -> dict:
    response = anonymous_client.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def _operations(document: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item}


def test_generation_has_no_warnings_or_errors_and_validates(tmp_path):
    # --fail-on-warn makes any generator warning or error a failure; --validate checks the result
    # against the OpenAPI 3 meta-schema.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    assert target.read_text().startswith("openapi: 3.0.3")


def test_served_document_is_valid_openapi_3(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_every_api_operation_is_described_at_the_default_and_the_versioned_url(document):
    operations = _operations(document)
    assert OPERATIONS <= operations
    versioned = {(path.replace("/api/now/", "/api/now/v1/").replace("/lead", "/v1/lead")
                  .replace("/sn_customerservice/", "/sn_customerservice/v1/"), method)
                 for path, method in OPERATIONS if not path.startswith("/api/v2/")}  # fmt: skip
    assert versioned <= operations
    # Nothing else: not the catch-all answer for unknown URLs, nor the schema and explorer pages.
    assert operations == OPERATIONS | versioned


def test_the_table_api_names_every_table_and_describes_records_generically(document):
    from csm_project.registry import all_tables

    operation = document["paths"]["/api/now/table/{table}"]["get"]
    table = next(parameter for parameter in operation["parameters"] if parameter["name"] == "table")
    assert table["schema"]["enum"] == sorted(all_tables())
    assert "customer_contact" in table["schema"]["enum"]
    assert set(operation["responses"]["200"]["headers"]) == {"X-Total-Count", "Link"}
    record = document["components"]["schemas"]["TableRecord"]
    assert record["type"] == "object" and "anyOf" in record["additionalProperties"]
    assert "204" in document["paths"]["/api/now/table/{table}/{sys_id}"]["delete"]["responses"]


def test_basic_auth_is_the_security_scheme_of_every_operation(document):
    assert document["components"]["securitySchemes"]["basicAuth"] == {
        "type": "http", "scheme": "basic", "description": "HTTP Basic: the user name and password."
    }  # fmt: skip
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert {"basicAuth": []} in operation["security"], (path, method)


def test_error_envelopes_are_described_per_api_family(document):
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["required"] == ["error", "status"]
    status = schemas["Error"]["properties"]["status"]
    assert schemas[status["$ref"].rsplit("/", 1)[-1]]["enum"] == ["failure"]
    assert schemas["ContactCenterError"]["required"] == ["statusCode", "statusMessage"]
    contact = document["paths"]["/api/now/contact/{id}"]["get"]["responses"]
    assert contact["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert contact["401"]["headers"]["WWW-Authenticate"]["schema"] == {"type": "string"}
    directory = document["paths"]["/api/v2/contacts/{sys_id}"]["delete"]["responses"]
    assert directory["403"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ContactCenterError"
    }


def test_pagination_headers_and_parameters_are_described(document):
    contact_list = document["paths"]["/api/now/contact"]["get"]
    assert {"sysparm_limit", "sysparm_offset", "sysparm_query", "sysparm_suppress_pagination_header"} <= {
        parameter["name"] for parameter in contact_list["parameters"]
    }
    assert set(contact_list["responses"]["200"]["headers"]) == {"X-Total-Count", "Link"}
    assert contact_list["responses"]["200"]["headers"]["X-Total-Count"]["required"] is True

    lead_list = document["paths"]["/api/sn_lead_mgmt_core/lead"]["get"]["responses"]
    for status in ("200", "206"):
        assert set(lead_list[status]["headers"]) == {"Total-Count", "Content-Range", "Links"}
    assert lead_list["206"]["content"] == lead_list["200"]["content"]


def test_contact_record_lists_every_key_as_a_string(document):
    from contacts.api.serializers import CONTACT_KEYS

    contact = document["components"]["schemas"]["Contact"]
    assert contact["required"] == list(CONTACT_KEYS)
    assert {schema["type"] for schema in contact["properties"].values()} == {"string"}


def test_explorer_page_uses_assets_the_instance_serves(anonymous_client):
    page = anonymous_client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/api/schema/" in html
    assets = ["/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
              "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"]  # fmt: skip
    for asset in assets:
        assert f'"{asset}"' in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html


@override_settings(API_DOCS_PUBLIC=False)
def test_schema_and_explorer_can_require_a_signed_in_user(make_user, anonymous_client):
    for url in ("/api/schema/", "/api/docs/"):
        refused = anonymous_client.get(url)
        assert refused.status_code == 401
        assert refused["WWW-Authenticate"].startswith("Basic realm=")
        assert refused.json()["error"]["message"] == "User Not Authenticated"
    make_user(user_name="reader")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth("reader"))
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


@pytest.mark.django_db
def test_conformance_check_rejects_an_undocumented_shape(contact_integration_client):
    """The suite-wide check (tests/conftest.py) can fail: a body or status the document does not
    describe is refused."""
    response = contact_integration_client.get("/api/now/contact")
    assert response.status_code == 200
    response.content = json.dumps({"result": [{"sys_id": 5}], "hasMore": False}).encode()
    with pytest.raises(ResponseDoesNotConform, match="body does not match"):
        check_response(response)
    response.status_code = 302
    with pytest.raises(ResponseDoesNotConform, match="status code"):
        check_response(response)


def test_a_viewset_over_many_tables_describes_its_table_variable():
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.utils import extend_schema

    from csm_project.api.openapi import string_object
    from csm_project.api.routing import PlatformRouter
    from csm_project.api.views import NowViewSet

    class RecordSerializer(serializers.BaseSerializer):
        openapi_name = "Record"

        @classmethod
        def openapi_schema(cls, direction):
            return string_object(("sys_id", "name"), required=False)

    class Tables(NowViewSet):
        required_roles = ("admin",)
        openapi_path_parameters = {"table": lambda: {"type": "string", "enum": ["customer_contact", "sys_user"]}}

        @extend_schema(responses=RecordSerializer)
        def retrieve(self, request, *args, **kwargs):
            raise AssertionError("not called")

    router = PlatformRouter()
    router.register(r"table/(?P<table>[^/]+)", Tables, basename="tables")
    document = SchemaGenerator(patterns=[path("api/now/", include(router.urls))]).get_schema(public=True)
    operation = document["paths"]["/api/now/table/{table}/{id}"]["get"]
    table = {"type": "string", "enum": ["customer_contact", "sys_user"]}
    assert {"in": "path", "name": "table", "required": True, "schema": table} in operation["parameters"]
    assert "/api/now/v1/table/{table}/{id}" in document["paths"]
    assert document["components"]["schemas"]["Record"]["properties"]["name"] == {"type": "string"}

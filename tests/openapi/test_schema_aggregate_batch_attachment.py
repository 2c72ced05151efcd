"""The Aggregate, Batch and Attachment APIs in the OpenAPI document, and the conformance hook on
their answers (a streamed file download included)."""

import json
from io import BytesIO

import pytest
from django.http import FileResponse

from tests.openapi.conformance import ResponseDoesNotConform, check_response


@pytest.fixture
def document(anonymous_client) -> dict:
    response = anonymous_client.get("/api/schema/")
    assert response.status_code == 200
    return json.loads(response.content)


def _parameters(operation: dict) -> dict[str, dict]:
    return {parameter["name"]: parameter for parameter in operation["parameters"]}


def test_stats_names_every_table_its_parameters_and_string_figures(document):
    from csm_project.registry import all_tables

    for path in ("/api/now/stats/{table}", "/api/now/v1/stats/{table}"):
        operation = document["paths"][path]["get"]
        parameters = _parameters(operation)
        assert parameters["table"]["schema"]["enum"] == sorted(all_tables())
        assert {"sysparm_query", "sysparm_count", "sysparm_avg_fields", "sysparm_sum_fields", "sysparm_min_fields",
                "sysparm_max_fields", "sysparm_group_by", "sysparm_having", "sysparm_order_by",
                "sysparm_display_value"} <= set(parameters)  # fmt: skip
        assert operation["responses"]["400"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    result = document["components"]["schemas"]["StatsResult"]["properties"]["result"]
    single, grouped = result["oneOf"]
    stats = single["properties"]["stats"]
    assert stats["properties"]["count"] == {"type": "string"}
    assert stats["properties"]["avg"]["additionalProperties"] == {"type": "string"}
    assert grouped["items"]["required"] == ["stats", "groupby_fields"]


def test_batch_describes_its_request_and_answer_objects(document):
    operation = document["paths"]["/api/now/v1/batch"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BatchRequest"
    }
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BatchResponse"
    }
    schemas = document["components"]["schemas"]
    item = schemas["BatchRequest"]["properties"]["rest_requests"]["items"]
    assert item["required"] == ["id", "method", "url"]
    assert item["properties"]["body"] == {"type": "string", "format": "byte", "description": "The item's body, base64"}
    answer = schemas["BatchResponse"]
    assert answer["required"] == ["batch_request_id", "serviced_requests", "unserviced_requests"]
    assert answer["properties"]["serviced_requests"]["items"]["properties"]["status_code"] == {"type": "integer"}


def test_attachment_download_is_binary_and_uploads_take_raw_and_multipart_bodies(document):
    paths = document["paths"]
    download = paths["/api/now/attachment/{sys_id}/file"]["get"]["responses"]["200"]["content"]
    assert download == {"*/*": {"schema": {"type": "string", "format": "binary"}}}

    raw = paths["/api/now/attachment/file"]["post"]
    assert raw["requestBody"]["content"]["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}
    assert {name for name, parameter in _parameters(raw).items() if parameter.get("required")} == {
        "table_name", "table_sys_id", "file_name"
    }  # fmt: skip
    assert {"201", "404", "415"} <= set(raw["responses"])

    multipart = paths["/api/now/v1/attachment/upload"]["post"]
    form = multipart["requestBody"]["content"]["multipart/form-data"]["schema"]
    form = document["components"]["schemas"][form["$ref"].rsplit("/", 1)[-1]]
    assert form["properties"]["uploadFile"] == {"type": "string", "format": "binary"}
    assert set(form["required"]) == {"table_name", "table_sys_id", "uploadFile"}
    assert "404" in multipart["responses"]

    listing = paths["/api/now/attachment"]["get"]
    assert {"sysparm_query", "sysparm_limit", "sysparm_offset"} <= set(_parameters(listing))
    assert set(listing["responses"]["200"]["headers"]) == {"X-Total-Count", "Link"}
    metadata = document["components"]["schemas"]["AttachmentMetadata"]
    assert metadata["required"] == ["download_link"]
    assert "204" in paths["/api/now/attachment/{sys_id}"]["delete"]["responses"]


class _FakeRequest:
    def __init__(self, method: str, path: str):
        self.method, self.path = method, path


def _download(content_type: str, status: int = 200) -> FileResponse:
    response = FileResponse(BytesIO(b"some bytes"), content_type=content_type, status=status)
    response.wsgi_request = _FakeRequest("GET", "/api/now/attachment/" + "a" * 32 + "/file")
    return response


def test_conformance_checks_a_streamed_download_without_reading_it():
    for content_type in ("application/pdf", "image/png", "text/plain"):
        response = _download(content_type)
        check_response(response)  # any type: the document says */*
        assert b"".join(response.streaming_content) == b"some bytes"  # the body is left for the test
    with pytest.raises(ResponseDoesNotConform, match="status code"):
        check_response(_download("application/pdf", status=302))
    # A documented status whose content is JSON only: a streamed file there does not conform.
    with pytest.raises(ResponseDoesNotConform, match="content type 'application/pdf'"):
        check_response(_download("application/pdf", status=404))

"""What the OpenAPI document says about the Table API (docs/openapi.md).

One viewset serves every table, so a record is described generically: an object of field names,
each value a string, or an object of strings for a reference (``link``, ``value``) or with
``sysparm_display_value=all`` (``display_value``, ``value``). ``{table}`` is an enum of the
registry's tables.
"""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers

from csm_project.registry import all_tables

_VALUE = {"anyOf": [{"type": "string"}, {"type": "object", "additionalProperties": {"type": "string"}}]}


def table_parameter() -> dict:
    return {"type": "string", "enum": sorted(all_tables())}


class TableRecordSerializer(serializers.BaseSerializer):
    openapi_name = "TableRecord"

    @classmethod
    def openapi_schema(cls, direction: str) -> dict:
        if direction == "request":
            return {
                "type": "object",
                "description": 'Field names and values; unknown and system fields are ignored, "" clears a field.',
                "additionalProperties": True,
            }
        return {
            "type": "object",
            "description": "Field names and values: strings; a reference is {link, value} (a plain sys_id with "
            "sysparm_exclude_reference_link=true); with sysparm_display_value=all every field is "
            "{display_value, value}.",
            "additionalProperties": _VALUE,
        }


def _query(name: str, description: str, kind=str) -> OpenApiParameter:
    return OpenApiParameter(name, kind, description=description)


_READ_PARAMETERS = [
    _query("sysparm_fields", "Fields to answer, comma-separated; dot-walks allowed"),
    OpenApiParameter("sysparm_display_value", str, enum=["true", "false", "all"], description="Display values"),
    _query("sysparm_exclude_reference_link", "true: references as plain sys_ids", bool),
]
_LIST_PARAMETERS = [
    *_READ_PARAMETERS,
    _query("sysparm_no_count", "true: no total count is run", bool),
    _query("sysparm_view", "Accepted, changes nothing"),
    _query("sysparm_query_no_domain", "Accepted, changes nothing", bool),
    _query("sysparm_query_category", "Accepted, changes nothing"),
]
_WRITE_PARAMETERS = [*_READ_PARAMETERS, _query("sysparm_input_display_value", "true: values are display values", bool)]


def _result(name: str) -> serializers.Serializer:
    return inline_serializer(name, {"result": TableRecordSerializer()})


table_api_schema = extend_schema_view(
    list=extend_schema(parameters=_LIST_PARAMETERS, responses=TableRecordSerializer(many=True)),
    retrieve=extend_schema(parameters=_READ_PARAMETERS, responses=_result("TableRecordResult")),
    create=extend_schema(
        parameters=_WRITE_PARAMETERS,
        request=TableRecordSerializer,
        responses={201: OpenApiResponse(_result("TableRecordCreated"), description="The stored record")},
    ),
    update=extend_schema(
        parameters=_WRITE_PARAMETERS, request=TableRecordSerializer, responses=_result("TableRecordUpdated")
    ),
    partial_update=extend_schema(
        parameters=_WRITE_PARAMETERS, request=TableRecordSerializer, responses=_result("TableRecordPatched")
    ),
    destroy=extend_schema(responses={204: None}),
)

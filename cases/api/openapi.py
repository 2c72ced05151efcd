"""What the OpenAPI document says about the Case API (docs/case-api.md)."""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers

from csm_project.api.openapi import PlatformAutoSchema


class CaseAutoSchema(PlatformAutoSchema):
    """Operation ids name the action: list and get, and the two field-values calls, share paths'
    words otherwise."""

    def get_operation_id(self) -> str:
        return f"{super().get_operation_id()}_{self.view.action}"


_STRING = {"type": "string"}
_STRINGS = {"type": "object", "additionalProperties": _STRING}
_VALUE = {"anyOf": [_STRING, {"type": "object", "additionalProperties": {"anyOf": [_STRING, _STRINGS]}}]}


class _Described(serializers.BaseSerializer):
    openapi_name = ""
    schema: dict = {}

    @classmethod
    def openapi_schema(cls, direction: str) -> dict:
        return cls.schema


class CaseRecordSerializer(_Described):
    openapi_name = "CaseRecord"
    schema = {
        "type": "object",
        "description": "Case fields, every value a string; account, contact and consumer are the referenced "
        "records (objects of strings) unless sysparm_reference_fields=false; with "
        "sysparm_display_value=all each field is {display_value, value}.",
        "additionalProperties": _VALUE,
    }


class CaseInputSerializer(_Described):
    openapi_name = "CaseInput"
    schema = {
        "type": "object",
        "description": "Case fields and values; comments and work_notes add journal entries.",
        "additionalProperties": True,
    }


class CaseWrittenSerializer(_Described):
    openapi_name = "CaseWritten"
    schema = {
        "type": "object",
        "properties": {
            "result": {
                "description": "sys_id and number; the whole case with sysparm_get_case_details=true",
                "anyOf": [
                    {"type": "object", "properties": {"sys_id": _STRING, "number": _STRING},
                     "required": ["sys_id", "number"]},
                    CaseRecordSerializer.schema,
                ],
            }
        },
        "required": ["result"],
    }  # fmt: skip


_ATTACHMENT = {
    "type": "object",
    "properties": {
        **{name: _STRING for name in ("average_image_color", "content_type", "file_name", "image_path", "path", "size",
                                      "state", "sys_id", "thumbnail_path")},
        **{name: {"type": "integer"} for name in ("image_height", "image_width", "size_bytes")},
    },
}  # fmt: skip
_ENTRY_KEYS = ("contains_code", "element", "field_label", "initials", "login_name", "name", "sys_created_on",
               "sys_created_on_adjusted", "sys_id", "user_sys_id", "value")  # fmt: skip


class CaseActivitiesSerializer(_Described):
    openapi_name = "CaseActivities"
    schema = {
        "type": "object",
        "properties": {
            "result": {
                "type": "object",
                "properties": {
                    **{name: _STRING for name in ("display_value", "sys_id", "short_description", "number",
                                                  "user_sys_id", "user_full_name", "user_login", "label", "table",
                                                  "sys_created_on", "sys_created_on_adjusted")},
                    "entries": {
                        "type": "array",
                        "items": {"type": "object", "properties": {**{k: _STRING for k in _ENTRY_KEYS},
                                                                   "attachment": _ATTACHMENT},
                                  "required": list(_ENTRY_KEYS)},
                    },
                    "journal_fields": {
                        "type": "array",
                        "items": {"type": "object", "properties": {"can_read": {"type": "boolean"},
                                                                   "can_write": {"type": "boolean"},
                                                                   "color": _STRING, "label": _STRING,
                                                                   "name": _STRING}},
                    },
                },
                "required": ["display_value", "sys_id", "number", "entries", "journal_fields", "table"],
            }
        },
        "required": ["result"],
    }  # fmt: skip


class CaseFieldValuesSerializer(_Described):
    openapi_name = "CaseFieldValues"
    schema = {
        "type": "object",
        "properties": {
            "result": {
                "type": "array",
                "items": {"type": "object", "properties": {"label": _STRING, "value": _STRING},
                          "required": ["label", "value"], "additionalProperties": _VALUE},
            }
        },
        "required": ["result"],
    }  # fmt: skip


def _query(name: str, description: str, kind=str) -> OpenApiParameter:
    return OpenApiParameter(name, kind, description=description)


_READ = [
    _query("sysparm_fields", "Fields to answer, comma-separated"),
    OpenApiParameter("sysparm_display_value", str, enum=["true", "false", "all"], description="Display values"),
    _query("sysparm_reference_fields", "false: account, contact and consumer as sys_ids", bool),
]
_WRITE = [*_READ, _query("sysparm_get_case_details", "true: answer the whole case", bool)]
_FIELD_VALUES = [
    _query("sysparm_query", "Encoded query over the referenced table"),
    _query("sysparm_limit", "Values at most", int),
    _query("sysparm_offset", "Values skipped", int),
    _query("sysparm_reference_field_columns", "Columns of the referenced records to add"),
    _query("sysparm_dependent_value", "Accepted; no case field depends on another"),
    _query("sysparm_ref_qual_input", "Accepted; no reference qualifier is defined"),
]

case_api_schema = extend_schema_view(
    list=extend_schema(parameters=_READ, responses=CaseRecordSerializer(many=True)),
    retrieve=extend_schema(
        parameters=_READ, responses=inline_serializer("CaseResult", {"result": CaseRecordSerializer()})
    ),
    create=extend_schema(parameters=_WRITE, request=CaseInputSerializer,
                         responses={201: OpenApiResponse(CaseWrittenSerializer, description="The case created")}),
    update=extend_schema(parameters=_WRITE, request=CaseInputSerializer, responses=CaseWrittenSerializer),
    activities=extend_schema(
        parameters=[_query("sysparm_activity_type", "Kinds of entries, comma-separated (comments, work_notes, "
                                                    "attachment, or a field name)"),
                    _query("sysparm_limit", "Entries at most", int), _query("sysparm_offset", "Entries skipped", int)],
        responses=CaseActivitiesSerializer,
    ),
    field_values=extend_schema(parameters=_FIELD_VALUES, responses=CaseFieldValuesSerializer),
    record_field_values=extend_schema(parameters=_FIELD_VALUES, responses=CaseFieldValuesSerializer),
)  # fmt: skip

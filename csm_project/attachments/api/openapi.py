"""What the OpenAPI document says about the Attachment API (docs/openapi.md).

Metadata is the ``sys_attachment`` record in the Table API's shape (every value a string, or
``{display_value, value}`` with ``sysparm_display_value=all``) plus ``download_link``. A download
is the file itself with the content type it was stored with; an upload is the raw body
(``POST attachment/file``) or a multipart form (``POST attachment/upload``).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

_VALUE = {
    "anyOf": [
        {"type": "string"},
        {
            "type": "object",
            "properties": {"display_value": {"type": "string"}, "value": {"type": "string"}},
            "required": ["display_value", "value"],
        },
    ]
}


class AttachmentMetadataSerializer(serializers.BaseSerializer):
    openapi_name = "AttachmentMetadata"

    @classmethod
    def openapi_schema(cls, direction: str) -> dict:
        return {
            "type": "object",
            "description": "The sys_attachment fields asked for (sysparm_fields; all by default), and download_link",
            "properties": {"download_link": {"type": "string", "description": "URL of the file's content"}},
            "required": ["download_link"],
            "additionalProperties": _VALUE,
        }


_DISPLAY = [
    OpenApiParameter("sysparm_fields", str, description="Fields to answer, comma-separated"),
    OpenApiParameter("sysparm_display_value", str, enum=["true", "false", "all"], description="Display values"),
]
_FILE_PARAMETERS = [
    OpenApiParameter("table_name", str, required=True, description="Table of the record the file belongs to"),
    OpenApiParameter("table_sys_id", str, required=True, description="sys_id of that record"),
    OpenApiParameter("file_name", str, required=True, description="The file's name"),
]


def _result(name: str) -> serializers.Serializer:
    return inline_serializer(name, {"result": AttachmentMetadataSerializer()})


def _created(name: str) -> dict:
    return {
        201: OpenApiResponse(
            _result(name),
            description="The stored attachment's metadata; Location names it",
        )
    }


attachment_schema = dict(
    list=extend_schema(
        parameters=[
            OpenApiParameter("sysparm_query", str, description="Encoded query over sys_attachment"),
            *_DISPLAY,
        ],
        responses=AttachmentMetadataSerializer(many=True),
    ),
    retrieve=extend_schema(parameters=_DISPLAY, responses=_result("AttachmentResult")),
    download=extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, with the content type it was stored with"
            )
        }
    ),
    upload_raw=extend_schema(
        parameters=[*_FILE_PARAMETERS, *_DISPLAY],
        request={"application/octet-stream": OpenApiTypes.BINARY, "*/*": OpenApiTypes.BINARY},
        responses=_created("AttachmentStored"),
    ),
    upload_multipart=extend_schema(
        parameters=_DISPLAY,
        request={
            "multipart/form-data": inline_serializer(
                "AttachmentUpload",
                {
                    "table_name": serializers.CharField(),
                    "table_sys_id": serializers.CharField(),
                    "file_name": serializers.CharField(required=False),
                    "uploadFile": serializers.FileField(),
                },
            )
        },
        responses=_created("AttachmentUploaded"),
    ),
    rename=extend_schema(
        request={"application/json": inline_serializer("AttachmentRename", {"file_name": serializers.CharField()})},
        responses={204: None},
    ),
    destroy=extend_schema(responses={204: None}),
)

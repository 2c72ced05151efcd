"""What the OpenAPI document says about the Batch API (docs/openapi.md): its request and answer
objects. Each item's own answer travels base64-encoded in ``body``, so its shape is that of the
operation the item called."""

from rest_framework import serializers

_HEADER = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
    "required": ["name"],
}


class BatchRequestSerializer(serializers.BaseSerializer):
    openapi_name = "Batch"  # the document names request components with a "Request" suffix

    @classmethod
    def openapi_schema(cls, direction: str) -> dict:
        return {
            "type": "object",
            "properties": {
                "batch_request_id": {"type": "string", "description": "Echoed in the answer"},
                "rest_requests": {
                    "type": "array",
                    "description": "Run in order; an item past the limits is listed in unserviced_requests",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string", "description": "The item's id, echoed in its answer"},
                            "method": {"type": "string", "enum": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]},
                            "url": {"type": "string", "description": "A path under /api/, with its query"},
                            "headers": {"type": "array", "items": _HEADER},
                            "body": {"type": "string", "format": "byte", "description": "The item's body, base64"},
                            "exclude_response_headers": {"type": "boolean"},
                        },
                        "required": ["id", "method", "url"],
                    },
                },
            },
            "required": ["rest_requests"],
        }


class BatchResponseSerializer(serializers.BaseSerializer):
    openapi_name = "BatchResponse"

    @classmethod
    def openapi_schema(cls, direction: str) -> dict:
        return {
            "type": "object",
            "properties": {
                "batch_request_id": {"type": "string"},
                "serviced_requests": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string"},
                            "status_code": {"type": "integer"},
                            "status_text": {"type": "string"},
                            "headers": {"type": "array", "items": _HEADER},
                            "body": {"type": "string", "format": "byte", "description": "The item's answer, base64"},
                            "execution_time": {"type": "integer", "description": "Milliseconds"},
                        },
                        "required": ["id", "status_code", "status_text", "headers", "body", "execution_time"],
                    },
                },
                "unserviced_requests": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "Ids of the items not run (limits); send them again",
                },
            },
            "required": ["batch_request_id", "serviced_requests", "unserviced_requests"],
        }

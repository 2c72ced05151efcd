"""What the OpenAPI document says about the Aggregate API (docs/openapi.md).

The answer is ``{"result": {"stats": {...}}}`` without grouping and ``{"result": [{"stats",
"groupby_fields"}, ...]}`` with it; every figure is a string (``""`` for an aggregate over no
values), keyed by function then field name.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

_FIGURES = {"type": "object", "additionalProperties": {"type": "string"}, "description": "Field name -> figure"}
_STATS = {
    "type": "object",
    "description": "The figures asked for, each a string",
    "properties": {
        "count": {"type": "string"},
        "avg": _FIGURES,
        "min": _FIGURES,
        "max": _FIGURES,
        "sum": _FIGURES,
    },
    "additionalProperties": False,
}
_GROUP = {
    "type": "object",
    "properties": {
        "stats": _STATS,
        "groupby_fields": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "value": {"type": "string"},
                    "display_value": {"type": "string"},
                },
                "required": ["field", "value"],
            },
        },
    },
    "required": ["stats", "groupby_fields"],
}


class StatsResultSerializer(serializers.BaseSerializer):
    openapi_name = "StatsResult"

    @classmethod
    def openapi_schema(cls, direction: str) -> dict:
        return {
            "type": "object",
            "properties": {
                "result": {
                    "description": "One object without sysparm_group_by, else one entry per group",
                    "oneOf": [
                        {"type": "object", "properties": {"stats": _STATS}, "required": ["stats"]},
                        {"type": "array", "items": _GROUP},
                    ],
                }
            },
            "required": ["result"],
        }


def _names(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, str, description=description)


stats_schema = extend_schema(
    parameters=[
        _names("sysparm_query", "Encoded query choosing the records (else name-value pairs of field=value)"),
        OpenApiParameter("sysparm_count", bool, description="true: count the records"),
        _names("sysparm_avg_fields", "Number fields to average, comma-separated"),
        _names("sysparm_sum_fields", "Number fields to sum, comma-separated"),
        _names("sysparm_min_fields", "Fields to take the minimum of, comma-separated"),
        _names("sysparm_max_fields", "Fields to take the maximum of, comma-separated"),
        _names("sysparm_group_by", "Fields to group by, comma-separated"),
        _names("sysparm_having", "aggregate^field^operator^value clauses, comma-separated (with grouping)"),
        _names("sysparm_order_by", "field, COUNT or AGGREGATE^field, each optionally ^DESC, comma-separated"),
        OpenApiParameter(
            "sysparm_display_value", str, enum=["true", "false", "all"], description="Display values of groups"
        ),
    ],
    responses=StatsResultSerializer,
)

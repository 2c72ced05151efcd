"""What the OpenAPI document says about the Lead API's shapes (docs/openapi.md).

The views answer with the plain functions of ``leads.processing.shape``; these serializer classes
only describe those shapes (``openapi_schema()``, see ``csm_project.api.openapi``). Each key's
type follows from its model field, as the functions write it; the keys that are not plain
columns are listed here.
"""

from django.db import models
from rest_framework import serializers

from leads.models import Lead, LeadLineItem
from leads.processing.shape import LEAD_KEYS, LINE_ITEM_KEYS

_TEXT = {"type": "string", "nullable": True}
_WIRE_DATE = {
    "type": "object",
    "nullable": True,
    "properties": {"value": {"type": "string"}, "display_value": {"type": "string"}},
    "required": ["value", "display_value"],
}
_NOTES = {
    "type": "array",
    "nullable": True,
    "description": "Newest first",
    "items": {"type": "object", "properties": {"author": _TEXT, "date": _TEXT, "text": _TEXT}},
}
_TAGS = {"type": "array", "nullable": True, "items": {"type": "string"}}


def _reference(*, code: bool = False) -> dict:
    properties = {"sys_id": {"type": "string"}, "name": _TEXT}
    if code:
        properties["code"] = _TEXT
    return {"type": "object", "nullable": True, "properties": properties, "required": list(properties)}


def _field_schema(model: type[models.Model], key: str) -> dict:
    field = model._meta.get_field(key)
    if isinstance(field, models.ForeignKey):
        return _reference(code=key == "product_offering")
    if isinstance(field, models.DateTimeField):
        return _WIRE_DATE
    if isinstance(field, models.BooleanField):
        return {"type": "boolean"}
    if isinstance(field, models.DecimalField):
        return {"type": "number", "nullable": True}
    if isinstance(field, models.IntegerField):
        return {"type": "integer", "nullable": field.null}
    return {"type": "string", "nullable": field.null}


def _shape(model: type[models.Model], keys: tuple[str, ...], special: dict[str, dict], *, required: bool) -> dict:
    properties = {key: special[key] if key in special else _field_schema(model, key) for key in keys}
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(keys)
    return schema


def line_item_schema() -> dict:
    special = {"sys_tags": _TAGS, "work_notes": _NOTES, "lead": _reference(), "sys_id": {"type": "string"}}
    return _shape(LeadLineItem, LINE_ITEM_KEYS, special, required=True)


class LeadShapeSerializer(serializers.BaseSerializer):
    """A lead as ``lead_json`` writes it (documentation only: the views call the functions)."""

    openapi_name = "Lead"
    every_key = True

    @classmethod
    def openapi_schema(cls, direction: str) -> dict:
        special = {
            "sys_id": {"type": "string"},
            "sys_class_name": {"type": "string"},
            "sys_tags": _TAGS,
            "work_notes": _NOTES,
            "lead_line_items": {"type": "array", "items": line_item_schema()},
        }
        schema = _shape(Lead, LEAD_KEYS, special, required=cls.every_key)
        if not cls.every_key:
            schema["description"] = (
                "The fields asked for with sysparm_fields (all when absent); a dot-walked "
                "name (owner.user_name) holds the value it reaches."
            )
        return schema


class LeadListItemSerializer(LeadShapeSerializer):
    openapi_name = "LeadListItem"
    every_key = False


class LeadInputSerializer(serializers.BaseSerializer):
    """A POST or PATCH body (documentation only: ``leads.processing`` reads it)."""

    openapi_name = "LeadInput"

    @classmethod
    def openapi_schema(cls, direction: str) -> dict:
        reference = {
            "description": '{"sys_id": ...} or a sys_id',
            "anyOf": [{"type": "string"}, {"type": "object", "properties": {"sys_id": {"type": "string"}}}],
        }
        notes = {"type": "array", "items": {"type": "object", "properties": {"text": {"type": "string"}}}}
        properties: dict = {}
        for key in LEAD_KEYS:
            field = Lead._meta.get_field(key) if key not in ("work_notes", "lead_line_items") else None
            if key in ("sys_id", "number", "closed_date", "sys_class_name") or key.startswith("sys_"):
                continue
            if key == "work_notes":
                properties[key] = notes
            elif key == "lead_line_items":
                properties[key] = {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "sys_id": {"type": "string", "description": "An item of this lead to update"},
                            "product_offering": reference,
                            "unit_of_measurement": reference,
                            "quantity": {"type": "integer", "minimum": 1},
                            "external_id": _TEXT,
                            "external_system": _TEXT,
                            "work_notes": notes,
                        },
                    },
                }
            elif isinstance(field, models.ForeignKey):
                properties[key] = reference
            elif isinstance(field, models.BooleanField):
                properties[key] = {"type": "boolean"}
            elif isinstance(field, models.DecimalField):
                properties[key] = {"type": "number", "minimum": 1, "maximum": 100}
            else:
                properties[key] = {"type": "string"}
        return {"type": "object", "description": "last_name is required on POST", "properties": properties}

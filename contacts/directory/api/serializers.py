"""Shapes of the contact-center Contacts API (docs/contact-center-api.md). Rules live in ``contacts.directory``."""

from typing import Any

from rest_framework import serializers

from contacts.directory.selectors import ATTRIBUTES, CUSTOM, TYPES
from csm_project.api.links import absolute_url


def contact_path(contact_id: str) -> str:
    """The ``path`` attribute: relative to the API root, as the vendor document writes it."""
    return f"/contacts/{contact_id}"


def contact_uri(request, contact_id: str) -> str:
    """The ``uri`` attribute: the absolute URL that reads the contact."""
    return absolute_url(request, f"/api/v2/contacts/{contact_id}")


class ContactSerializer(serializers.BaseSerializer):
    """A directory row (wire attribute -> value) as the contact object.

    Only the attributes of the contact's kind appear (a Queue has no ``userName`` key at
    all); an attribute the kind has but the record leaves empty is ``""``, so every value
    is a string as documented. Needs ``request`` in the context for ``uri``.
    """

    openapi_name = "DirectoryContact"

    @classmethod
    def openapi_schema(cls, direction: str) -> dict:
        attributes = dict.fromkeys(attribute for kind in TYPES for attribute in ATTRIBUTES[kind])
        common = set.intersection(*(set(ATTRIBUTES[kind]) for kind in TYPES))
        properties = {attribute: {"type": "string"} for attribute in attributes}
        properties["type"] = {"type": "string", "enum": list(TYPES)}
        properties["uri"] = {"type": "string", "description": "Absolute URL of the contact."}
        properties["path"] = {"type": "string", "description": "/contacts/<id>"}
        return {
            "type": "object",
            "description": "A directory contact; User contacts add userName, firstName, lastName, employeeId.",
            "properties": properties,
            "required": [attribute for attribute in attributes if attribute in common] + ["uri", "path"],
            "additionalProperties": False,
        }

    def to_representation(self, row: dict[str, Any]) -> dict[str, str]:
        contact = {attribute: row[attribute] or "" for attribute in ATTRIBUTES[row["type"]]}
        contact["uri"] = contact_uri(self.context["request"], row["id"])
        contact["path"] = contact_path(row["id"])
        return contact


class CustomContactInputSerializer(serializers.Serializer):
    """A POST or PUT body. Only the keys present are returned; unknown keys are ignored.

    Types only: whether ``name`` is required or too long is the service's rule. ``type``
    may be sent, in any case, but only as ``Custom``: the API creates no other kind.
    """

    name = serializers.CharField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    phoneNumber = serializers.CharField(required=False, allow_null=True, allow_blank=True, trim_whitespace=False)
    type = serializers.CharField(required=False, allow_null=True, allow_blank=True)

    def validate_type(self, value: str | None) -> str | None:
        if value and value.casefold() != CUSTOM.casefold():
            raise serializers.ValidationError("only contacts of type Custom can be created or changed")
        return value


def first_input_error(errors: dict) -> str:
    """One line for the ``statusMessage`` of an invalid body."""
    for name, messages in errors.items():
        message = messages[0] if isinstance(messages, list) and messages else messages
        if name == "non_field_errors":
            return f"Invalid parameter: {message}"
        return f"Invalid parameter: {name}: {message}"
    return "Invalid parameter"

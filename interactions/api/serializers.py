"""Shapes of the Interaction API (docs/interaction-api.md): the POST body in, the interaction out.

Input is read by hand rather than by a DRF ``Serializer`` because every refusal must be the
platform envelope with a detail naming the field (``ApiError``), not DRF's field-error map.
These functions check types only; the rules (required channel, existing queue, table/id
pairs) are the service's.
"""

from typing import Any

from rest_framework import serializers

from csm_project.api.errors import ApiError, BadRequestBody
from csm_project.api.parsers import JSONRejected, load_json
from csm_project.core.errors import REQUIRED, DomainError
from interactions.models import Interaction
from interactions.services import DocumentSpec

# The API's wording of a refusal: its message names the kind, its detail the field and why.
INVALID = "Invalid request"
MISSING = "Missing mandatory parameter"


def interaction_create_params(data: object) -> dict[str, Any]:
    """Keyword arguments for ``interaction_create`` from a parsed JSON or XML body.

    The body must be an object. Ids are strings; an empty string (or an empty XML element)
    counts as not given. ``context`` / ``channel_metadata`` are maps; a string holding a JSON
    object is accepted too, since the vendor document types them as String. Keys the API
    does not document are ignored, as the platform does.
    """
    if not isinstance(data, dict):
        raise BadRequestBody("The request body must be a JSON object or an XML <request><entry>")
    return {
        "channel": _text(data, "channel"),
        "queue": _text(data, "queue"),
        "context": _document(data, "context"),
        "channel_metadata": _document(data, "channel_metadata"),
    }


def interaction_refusal(error: DomainError) -> ApiError:
    """A domain refusal in the API's words (400)."""
    first = error.errors[0]
    return ApiError(MISSING if first.code == REQUIRED else INVALID, first.message)


def interaction_result(interaction: Interaction) -> dict[str, Any]:
    """The documented response object, keys in the seed's order and mixed case: strings
    (``""`` when empty) and two presence flags.

    Reads only columns of the interaction row (references are sys_ids), no joins.
    """
    return {
        "channel": interaction.channel_id or "",
        "context": {"present": bool(interaction.context_document)},
        "queue": interaction.queue_id or "",
        "state": interaction.state,
        "number": interaction.number,
        "contextDocument": interaction.context_document or "",
        "contextTable": interaction.context_table or "",
        "channelMetadataDocument": interaction.channel_metadata_document or "",
        "channelMetadataTable": interaction.channel_metadata_table or "",
        "channel_metadata": {"present": bool(interaction.channel_metadata_document)},
        "sys_id": interaction.sys_id,
        "assigned_to": interaction.assigned_to_id or "",
        "closed_by": interaction.closed_by_id or "",
        "opened_for": interaction.opened_for_id or "",
    }


def _text(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ApiError(INVALID, f"{key} must be a string (a sys_id or a table name)")
    return value.strip() or None


def _document(data: dict, field: str) -> DocumentSpec:
    return DocumentSpec(
        values=_map(data, field),
        table=_text(data, f"{field}_table"),
        sys_id=_text(data, f"{field}_id"),
    )


def _map(data: dict, key: str) -> dict | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = load_json(value)
        except JSONRejected as exc:
            raise ApiError(INVALID, f"{key} must be a map (a JSON object): {exc}") from None
    if not isinstance(value, dict):
        raise ApiError(INVALID, f"{key} must be a map (a JSON object)")
    if _has_nul(value):
        # PostgreSQL's jsonb cannot hold a NUL character; refuse it rather than fail on insert.
        raise ApiError(INVALID, f"{key} must not contain NUL characters")
    return value


def _has_nul(value: object) -> bool:
    """Iterative, so a deeply nested map cannot exhaust the stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


_PRESENCE = {"type": "object", "properties": {"present": {"type": "boolean"}}, "required": ["present"]}


class InteractionResultSerializer(serializers.BaseSerializer):
    """The documented interaction object (``interaction_result``)."""

    openapi_name = "Interaction"

    def to_representation(self, interaction: Interaction) -> dict[str, Any]:
        return interaction_result(interaction)

    @classmethod
    def openapi_schema(cls, direction: str) -> dict:
        keys = list(interaction_result(Interaction()))  # the keys the function writes, in its order
        properties = {key: {"type": "string"} for key in keys}
        properties["context"] = properties["channel_metadata"] = _PRESENCE
        return {"type": "object", "properties": properties, "required": keys}


class InteractionCreateSerializer(serializers.BaseSerializer):
    """The body ``interaction_create_params`` reads (documentation of the request)."""

    openapi_name = "InteractionCreate"

    @classmethod
    def openapi_schema(cls, direction: str) -> dict:
        text = {"type": "string"}
        document = {
            "type": "object",
            "additionalProperties": True,
            "description": "Stored as a new record (a JSON object, or a string holding one).",
        }
        return {
            "type": "object",
            "properties": {
                "channel": {**text, "description": "sys_id of an interaction_connector (required)"},
                "queue": {**text, "description": "sys_id of an awa_queue"},
                "context": document,
                "context_table": {**text, "description": "With context_id: an existing record as the context"},
                "context_id": text,
                "channel_metadata": document,
                "channel_metadata_table": {**text, "description": "Default live_group_profile"},
                "channel_metadata_id": text,
            },
            "required": ["channel"],
        }

"""Writes of the interactions app: create and close interactions (docs/interaction-api.md).

Each service is one transaction: a request it refuses (``DomainError`` naming the field) or that fails
half-way leaves no row behind (no interaction, no context blob, no channel-metadata record).
Every record is written by the one record write (``csm_project.core.records.services``) with
``InteractionRules`` below, as the Table API, the admin and imports write them.

Pitfall: ids arrive from clients and may be anything (an empty string, 200 characters, a NUL
byte that PostgreSQL refuses in a query). They are checked against the sys_id format before
any query, and a malformed id is answered as "does not exist", never as a 500.
"""

from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from csm_project.core.access.actor import acting_as, current_actor_user
from csm_project.core.errors import REQUIRED, DomainError, FieldError, RecordMissing, quoted
from csm_project.core.models import SysRecord, User, is_sys_id
from csm_project.core.records.hooks import RecordRules
from csm_project.core.records.services import record_prepare, record_save
from csm_project.registry import UnknownTable, get_table
from interactions.models import (
    CLOSED_STATES,
    Interaction,
    InteractionConnector,
    InteractionJsonBlob,
    InteractionState,
    InteractionType,
    LiveGroupProfile,
    Queue,
)


@dataclass(frozen=True)
class DocumentSpec:
    """How the client defined one document of an interaction (context or channel metadata):
    a map for a new record of the default table, or an existing ``table``/``sys_id`` pair.
    Neither given means a new, empty record of the default table."""

    values: dict[str, Any] | None = None
    table: str | None = None
    sys_id: str | None = None


def interaction_create(
    *,
    channel: str | None,
    queue: str | None = None,
    context: DocumentSpec | None = None,
    channel_metadata: DocumentSpec | None = None,
    opened_by: User | None = None,
    opened_for: User | None = None,
    assigned_to: User | None = None,
    short_description: str | None = None,
    type: str | None = None,
    work_note: str | None = None,
) -> Interaction:
    """Create an interaction on ``channel`` (a connector sys_id, required), in ``queue``
    (optional awa_queue sys_id): state ``queued`` with a queue, else ``new``.

    Context and channel metadata: an existing (table, sys_id) pair is linked as is; otherwise
    a new ``interaction_json_blob`` (resp. ``live_group_profile``) record is created holding
    the given map, or ``{}``. ``opened_for``, ``assigned_to``, ``short_description`` and
    ``type`` are for staff (the admin); the API documents none of them. ``work_note`` is
    journaled on the new interaction (the admin's form).

    Raises ``DomainError`` naming the field for a missing (code ``required``) or unknown channel,
    an unknown queue, half a pair (``required``), or a pair naming a table or record that does
    not exist.
    """
    context = context or DocumentSpec()
    channel_metadata = channel_metadata or DocumentSpec()
    with transaction.atomic(), _acting(opened_by):
        connector = _require_channel(channel)
        work_queue = _optional_queue(queue)
        context_ref = _document_ref(context, field="context")
        metadata_ref = _document_ref(channel_metadata, field="channel_metadata")
        if context_ref is None:
            context_ref = _new_document(InteractionJsonBlob, context.values)
        if metadata_ref is None:
            metadata_ref = _new_document(LiveGroupProfile, channel_metadata.values)
        values = {
            "channel": connector,
            "queue": work_queue,
            "opened_for": opened_for,
            "assigned_to": assigned_to,
            "short_description": short_description,
            "type": type or InteractionType.CHAT,
            "context_table": context_ref[0],
            "context_document": context_ref[1],
            "channel_metadata_table": metadata_ref[0],
            "channel_metadata_document": metadata_ref[1],
        }
        # InteractionRules: opened by the acting user, now; ``queued`` with a queue.
        interaction = record_save(record_prepare(Interaction(), values, creating=True, work_note=work_note))
    return interaction


def interaction_close(*, interaction_id: str, closed_by: User | None) -> Interaction:
    """Close the interaction: state ``closed_complete``, which stamps ``closed_by`` (the given
    user, else the acting one) and ``closed_at`` (``InteractionRules``).

    An interaction already closed (complete or abandoned) is returned unchanged: no write, so
    ``closed_by``/``closed_at`` and ``sys_mod_count`` keep their values. Unknown or malformed
    id: ``RecordMissing``. The row is locked while deciding, so two concurrent closes
    write once.
    """
    if not is_sys_id(interaction_id):
        raise RecordMissing("No such interaction")
    with transaction.atomic(), _acting(closed_by):
        interaction = Interaction.objects.select_for_update().filter(sys_id=interaction_id).first()
        if interaction is None:
            raise RecordMissing("No such interaction")
        if interaction.is_closed:
            return interaction
        record_save(record_prepare(interaction, {"state": InteractionState.CLOSED_COMPLETE}, creating=False))
    return interaction


def _acting(user: User | None):
    """Act as ``user`` when one is named (a staff member's admin action, a service's caller);
    else as whoever acts already."""
    return acting_as(user) if user is not None else nullcontext()


def _new_document(model: type[SysRecord], value: dict[str, Any] | None) -> tuple[str, str]:
    document = record_save(record_prepare(model(), {"value": value or {}}, creating=True))
    return model.sys_table, document.sys_id


def _require_channel(channel: str | None) -> InteractionConnector:
    if not channel:
        raise DomainError("channel is required: the sys_id of an interaction connector", field="channel", code=REQUIRED)
    connector = _active(InteractionConnector, channel)
    if connector is None:
        raise DomainError(f"channel {quoted(channel)} is not an active interaction connector", field="channel")
    return connector


def _optional_queue(queue: str | None) -> Queue | None:
    if not queue:
        return None
    work_queue = _active(Queue, queue)
    if work_queue is None:
        raise DomainError(f"queue {quoted(queue)} is not an active awa_queue record", field="queue")
    return work_queue


def _active(model: type[models.Model], sys_id: str):
    if not is_sys_id(sys_id):
        return None
    return model.objects.filter(sys_id=sys_id, active=True).first()


def _document_ref(spec: DocumentSpec, *, field: str) -> tuple[str, str] | None:
    """The (table, sys_id) pair the client named, checked; None when a new record is wanted."""
    if spec.table is None and spec.sys_id is None:
        return None
    if spec.values is not None:
        raise DomainError(f"Give either {field} or {field}_table/{field}_id, not both", field=field)
    if spec.table is None or spec.sys_id is None:
        missing = f"{field}_table" if spec.table is None else f"{field}_id"
        raise DomainError(f"{missing} is required when {field}_table/{field}_id is used", field=missing, code=REQUIRED)
    try:
        table = get_table(spec.table)
    except UnknownTable:
        raise DomainError(f"{field}_table {quoted(spec.table)} is not a table", field=f"{field}_table") from None
    if not is_sys_id(spec.sys_id) or not table.model._default_manager.filter(pk=spec.sys_id).exists():
        raise DomainError(f"{field}_id {quoted(spec.sys_id)} is not a record of {table.name}", field=f"{field}_id")
    return table.name, spec.sys_id


def interaction_stamp_closing(interaction: Interaction, *, previous_state: str | None) -> None:
    """Moving to a closed state stamps ``closed_at`` (now) and ``closed_by`` (the acting user)."""
    if interaction.state in CLOSED_STATES and previous_state not in CLOSED_STATES:
        interaction.closed_at = timezone.now()
        interaction.closed_by = current_actor_user()


class InteractionRules(RecordRules):
    """Interaction rules for every generic write (Table API, admin, imports): ``opened_by`` is
    the acting user and ``opened_at`` now; a new interaction with a queue and no state given is
    ``queued``; closing stamps ``closed_at``/``closed_by``; a context or channel-metadata table
    must be a table of the registry."""

    def clean(self, record: Interaction, *, creating: bool, changed: dict[str, Any]) -> list[FieldError]:
        if creating:
            record.opened_by = current_actor_user()
            record.opened_at = record.opened_at or timezone.now()
            if "state" not in changed and record.queue_id:
                record.state = InteractionState.QUEUED
        if creating or "state" in changed:
            interaction_stamp_closing(record, previous_state=changed.get("state"))
        errors = []
        for name in ("context_table", "channel_metadata_table"):
            table = getattr(record, name)
            if name in changed and table:
                try:
                    get_table(table)
                except UnknownTable:
                    errors.append(FieldError(name, f"{quoted(table)} is not a table"))
        return errors

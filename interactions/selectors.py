"""Reads of the interactions app: an interaction's documents and work notes."""

from csm_project.core.models import JournalEntry, SysRecord, is_sys_id
from csm_project.core.records.journal import journal_for
from csm_project.registry import UnknownTable, get_table
from interactions.models import Interaction


def interaction_document(*, table: str | None, sys_id: str | None) -> SysRecord | None:
    """The record a generic (table name, sys_id) reference of an interaction points at.

    None when the reference is empty, names no registered table, or the record is gone
    (documents are not protected from deletion, so a link may dangle).
    """
    if not table or not is_sys_id(sys_id):
        return None
    try:
        spec = get_table(table)
    except UnknownTable:
        return None
    return spec.model._default_manager.filter(pk=sys_id).first()


def interaction_work_notes(*, interaction: Interaction) -> list[JournalEntry]:
    """The interaction's work notes, newest first (one query)."""
    return journal_for(table=Interaction.sys_table, sys_ids=[interaction.sys_id]).get(interaction.sys_id, [])

"""Reads of the interactions app: an interaction's documents."""

from csm_project.core.models import SysRecord, is_sys_id
from csm_project.registry import UnknownTable, get_table


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

"""Work notes: journal entries attached to any record by (table, sys_id)."""

from collections import defaultdict
from collections.abc import Iterable

from csm_project.core.actor import current_actor_user
from csm_project.core.models import JournalEntry, SysRecord


def journal_add(*, record: SysRecord, text: str, element: str = "work_notes") -> JournalEntry:
    """Add one entry by the acting user."""
    return JournalEntry.objects.create(
        name=record.sys_table,
        element_id=record.pk,
        element=element,
        value=text,
        author=current_actor_user(),
    )


def journal_for(
    *, table: str, sys_ids: Iterable[str], element: str = "work_notes"
) -> dict[str, list[JournalEntry]]:
    """Entries of many records in one query, newest first per record."""
    ids = list(sys_ids)
    entries: dict[str, list[JournalEntry]] = defaultdict(list)
    if not ids:
        return entries
    rows = (
        JournalEntry.objects.filter(name=table, element_id__in=ids, element=element)
        .select_related("author")
        .order_by("-sys_created_on", "-sys_id")
    )
    for entry in rows:
        entries[entry.element_id].append(entry)
    return entries

"""Work notes: journal entries attached to any record by (table, sys_id)."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

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


def journal_for(*, table: str, sys_ids: Iterable[str], element: str = "work_notes") -> dict[str, list[JournalEntry]]:
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


def work_note_text(value: Any) -> str | None:
    """A ``work_notes`` value as ONE journal text: a string, or the texts of a list of notes
    (strings, numbers or ``{"text": ...}`` objects) joined by ``,``; None when there is none.
    NUL characters are dropped (PostgreSQL text cannot hold them)."""
    if isinstance(value, list):
        texts = [note.get("text") if isinstance(note, dict) else note for note in value]
        value = ",".join(
            str(text)
            for text in texts
            if isinstance(text, (str, int, float)) and not isinstance(text, bool) and str(text) != ""
        )
    if not isinstance(value, str):
        return None
    return value.replace("\x00", "") or None

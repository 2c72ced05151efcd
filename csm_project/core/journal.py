"""Work notes: journal entries attached to any record by (table, sys_id)."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q

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
    return journal_of_tables(sys_ids_by_table={table: sys_ids}, element=element)


# What a shown journal entry reads: its record, date, author's names and text (a page of notes
# otherwise loads every column of every author's user row).
_SHOWN = ("element_id", "name", "sys_created_on", "sys_created_by", "value", "author__name", "author__user_name")


def journal_of_tables(
    *, sys_ids_by_table: dict[str, Iterable[str]], element: str = "work_notes"
) -> dict[str, list[JournalEntry]]:
    """Entries of records of several tables in one query, by record sys_id, newest first per
    record. Only the columns shown are loaded (others load on first use)."""
    wanted = Q()
    for table, sys_ids in sys_ids_by_table.items():
        ids = list(sys_ids)
        if ids:
            wanted |= Q(name=table, element_id__in=ids)
    entries: dict[str, list[JournalEntry]] = defaultdict(list)
    if not wanted:
        return entries
    rows = (
        JournalEntry.objects.filter(wanted, element=element)
        .select_related("author")
        .only(*_SHOWN)
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

"""Work notes: journal entries attached to any record by (table, sys_id)."""

from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db.models import Q

from csm_project.core.access.actor import current_actor_user
from csm_project.core.models import JournalEntry, SysRecord
from csm_project.core.sql.prepared import PreparedQuery, own_columns


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


def journal_of_tables(
    *, sys_ids_by_table: dict[str, Iterable[str]], element: str = "work_notes"
) -> dict[str, list[JournalEntry]]:
    """Entries of records of several tables in one query, by record sys_id, newest first per
    record, with what is shown of their authors (names) joined in."""
    tables = tuple(sys_ids_by_table)
    ids = {f"ids{n}": list(sys_ids) for n, sys_ids in enumerate(sys_ids_by_table.values())}
    entries: dict[str, list[JournalEntry]] = defaultdict(list)
    if not any(ids.values()):
        return entries
    for entry in _entries_query(tables).run(element=element, **ids):
        entries[entry.element_id].append(entry)
    return entries


@cache
def _entries_query(tables: tuple[str, ...]) -> PreparedQuery:
    """The entries of records of ``tables`` (lists ``ids0``, ``ids1``... of sys_ids), built once
    per shape: the SQL of this OR of IN lists costs more to build than to run."""

    def build(element, **ids):
        wanted = Q()
        for n, table in enumerate(tables):
            wanted |= Q(name=table, element_id__any=ids[f"ids{n}"])
        return (
            JournalEntry.objects.filter(wanted, element=element)
            .select_related("author")
            .only(*own_columns(JournalEntry), "author__name", "author__user_name")
            .order_by("-sys_created_on", "-sys_id")
        )

    return PreparedQuery(JournalEntry, build, "element", *(f"ids{n}" for n in range(len(tables))))


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

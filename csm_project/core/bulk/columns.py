"""The columns of a file to load, as field names of the table.

A column is taken as a field when its header is, in this order: named by ``--map SRC=FIELD``
(``column_map``, the header exactly or without case); a column the loader knows (a field's wire
name, ``work_notes``, the system columns of an export, an extension's columns); a field's wire
name or its label (the admin's column title, e.g. ``Business phone`` for a contact's ``phone``)
without case and without surrounding spaces. A CSV header row is resolved once, before its first
row; an unknown or doubled header there is an error naming the known fields (every row would be
bad). Keys of JSON rows are resolved the same way, row by row (with a cache); an unknown one
makes its row bad.
"""

from collections.abc import Iterable

from csm_project.core.bulk.files import FileShapeError
from csm_project.core.records.field_rules import WORK_NOTES, TableRules


class ColumnNames:
    def __init__(self, rules: TableRules, known: set[str], extra: Iterable[str], column_map: dict[str, str]) -> None:
        self.table = rules.table.name
        self.known = known
        self.writable = sorted({*rules.fields, WORK_NOTES, *extra})
        self.by_text: dict[str, str] = {}
        for name, rule in rules.fields.items():
            label = str(getattr(rule.model_field, "verbose_name", "") or "")
            if label:
                self.by_text.setdefault(_fold(label), name)
        for name in known:
            self.by_text[_fold(name)] = name  # a wire name wins over a label that reads the same
        self.mapped: dict[str, str] = {}
        for source, target in column_map.items():
            if target not in known:
                raise FileShapeError(
                    f"--map {source}={target}: {self.table} has no field {target!r}. Fields: {', '.join(self.writable)}"
                )
            self.mapped[source] = target
            self.mapped.setdefault(_fold(source), target)
        self._cache: dict[str, str | None] = {}

    def resolve(self, header: str) -> str | None:
        """The column a header names, or ``None``."""
        try:
            return self._cache[header]
        except KeyError:
            pass
        name = self.mapped.get(header) or self.mapped.get(_fold(header))
        if name is None:
            name = header if header in self.known else self.by_text.get(_fold(header))
        self._cache[header] = name
        return name

    def rename(self, headers: list[str]) -> list[str]:
        names = [self.resolve(header) for header in headers]
        unknown = [header for header, name in zip(headers, names, strict=True) if name is None]
        if unknown:
            listed = ", ".join(repr(header) for header in unknown)
            raise FileShapeError(
                f"line 1: unknown column(s) {listed} for {self.table}. Name a field (or its label), or map a column "
                f"with --map COLUMN=FIELD. Fields: {', '.join(self.writable)}"
            )
        first: dict[str, str] = {}
        for header, name in zip(headers, names, strict=True):
            if name in first:
                raise FileShapeError(f"line 1: columns {first[name]!r} and {header!r} both give {self.table}.{name}")
            first[name] = header
        return names  # type: ignore[return-value]


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()

"""Loading a file held in memory or in the database (the admin's import page): the same
``RecordLoader``, ``RowReader`` and table extensions (a contact's social profile columns) as the
commands, with the uploader as the acting user and the file's name as the audit reason.
``dry_run`` gives the preview."""

import io
from dataclasses import dataclass

from csm_project.core.access.actor import acting_as
from csm_project.core.bulk.files import CSV, JSONL, RowReader
from csm_project.core.bulk.imports import ImportResult, RecordLoader, extension_for
from csm_project.core.records.field_rules import table_rules
from csm_project.core.sql.audit import audit_reason

SAMPLE_ROWS = 10


@dataclass(frozen=True)
class LoadOptions:
    upsert: bool = False
    key: str | None = None
    encoding: str | None = None
    skip_bad: bool = False

    @classmethod
    def from_dict(cls, data: dict) -> "LoadOptions":
        return cls(
            upsert=bool(data.get("upsert")),
            key=data.get("key") or None,
            encoding=data.get("encoding") or None,
            skip_bad=bool(data.get("skip_bad")),
        )

    def as_dict(self) -> dict:
        return {"upsert": self.upsert, "key": self.key, "encoding": self.encoding, "skip_bad": self.skip_bad}


def load_content(table: str, content: bytes, options: LoadOptions, *, user, reason: str, dry_run: bool) -> ImportResult:
    """Load (or, ``dry_run``, check) ``content`` into ``table``. Raises ``ValueError`` (a
    ``FileShapeError``, a bad key or encoding) for a file that cannot be read at all."""
    with acting_as(user), audit_reason(reason):
        loader = RecordLoader(
            table_rules(table),
            upsert=options.upsert,
            key=options.key,
            skip_bad=options.skip_bad,
            dry_run=dry_run,
            sample_rows=SAMPLE_ROWS,
            extension=extension_for(table),
        )
        reader = RowReader(io.BytesIO(content), encoding=options.encoding, rename=loader.rename_columns)
        loader.where = "line" if reader.format in (CSV, JSONL) else "record"
        loader.empty_is_absent = reader.format == CSV
        return loader.run(reader)

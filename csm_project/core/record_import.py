"""Bulk import into any registered table from CSV or JSON lines: all rows or none.

Every row is read, typed and validated (field rules, references that must exist, unique
values both in the file and in the database); rows are inserted in batches inside ONE
transaction. If any row is bad, every bad row is reported with its line number and the
transaction is rolled back: a load is never half-written and no row is silently dropped.
On SQLite, whose one write lock would make every other writer wait for the whole load, the
import command checks every row first and then commits batch by batch (``commit_each_batch``).

Pitfalls:
- Multi-table records (a contact extends ``sys_user``) cannot be bulk-inserted by Django;
  they are saved one by one, inside the same transaction, so they load more slowly.
- Record numbers missing from the file are drawn from the table's counter in blocks.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import TextIO

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction

from csm_project.core.actor import current_actor_name
from csm_project.core.models import User
from csm_project.core.numbers import reserve_numbers
from csm_project.core.users import USER_NAME, user_name_key, user_names_taken
from csm_project.core.wire_values import from_text
from csm_project.registry import TableSpec

Row = tuple[int, dict]


@dataclass(frozen=True)
class RowError:
    line: int
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    rows_read: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)


def read_rows(stream: TextIO, fmt: str) -> Iterator[Row]:
    """(line number, {column: value}) for each record of a CSV (header row) or JSON-lines file.

    A JSON line that is not an object is yielded as ``{"__error__": reason}``.
    """
    if fmt == "csv":
        reader = csv.DictReader(stream)
        for record in reader:
            if None in record:
                yield reader.line_num, {"__error__": "more values than columns"}
            else:
                yield reader.line_num, record
        return
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            yield number, {"__error__": f"not valid JSON: {exc}"}
            continue
        yield number, record if isinstance(record, dict) else {"__error__": "a line must hold one JSON object"}


class _Batch:
    def __init__(self, table: TableSpec):
        self.table = table
        self.model = table.model
        self.instances: list[tuple[int, models.Model]] = []
        self.errors: list[RowError] = []


class RecordImporter:
    """Reads, checks and inserts rows for one table; see the module docstring."""

    def __init__(self, table: TableSpec, *, batch_size: int = 1000):
        self.table = table
        self.model = table.model
        self.batch_size = batch_size
        self.unique_fields = [
            spec for spec in table.fields.values()
            if self.model._meta.get_field(spec.model_field).unique
        ]
        self.seen_unique: dict[str, set] = {spec.name: set() for spec in self.unique_fields}
        self.number_prefix = getattr(self.model, "NUMBER_PREFIX", None)

    def run(self, rows: Iterable[Row], *, dry_run: bool = False,
            progress: Callable[[ImportResult], None] | None = None,
            commit_each_batch: bool = False) -> ImportResult:
        """Check (``dry_run``) or load ``rows``.

        A dry run only reads, outside any transaction, so on SQLite it never holds the write
        lock. A load is one transaction, unless ``commit_each_batch``: then each batch is checked
        and inserted in a transaction of its own, so other writers wait at most one batch; if a
        batch fails (only possible when the rows were checked by a dry run just before and the
        database changed since), the rows already committed are deleted again and the result
        reports the failure with nothing imported. See ``ImportCommand`` for when it is used.
        """
        if dry_run:
            return self._check_only(rows, progress)
        if commit_each_batch:
            return self._load_in_batches(rows, progress)
        result = ImportResult()
        iterator = iter(rows)
        with transaction.atomic():
            while chunk := list(islice(iterator, self.batch_size)):
                result.rows_read += len(chunk)
                batch = self._check(chunk)
                result.errors += batch.errors
                if not result.errors and not dry_run:
                    result.errors += self._insert(batch)
                    if not result.errors:
                        result.imported += len(batch.instances)
                if progress:
                    progress(result)
            if result.errors or dry_run:
                transaction.set_rollback(True)
                result.imported = 0
        return result

    def _check_only(self, rows: Iterable[Row], progress) -> ImportResult:
        result = ImportResult()
        iterator = iter(rows)
        while chunk := list(islice(iterator, self.batch_size)):
            result.rows_read += len(chunk)
            result.errors += self._check(chunk).errors
            if progress:
                progress(result)
        return result

    def _load_in_batches(self, rows: Iterable[Row], progress) -> ImportResult:
        result = ImportResult()
        iterator = iter(rows)
        written: list[str] = []
        while chunk := list(islice(iterator, self.batch_size)):
            result.rows_read += len(chunk)
            batch = self._build_all(chunk)  # before the transaction: on SQLite it holds the write lock
            with transaction.atomic():
                self._check_in_database(batch)
                errors = batch.errors or self._insert(batch)
                if errors:
                    transaction.set_rollback(True)
            if errors:
                result.errors += errors
                result.errors += remove_written(self.model, written)
                result.imported = 0
                return result
            written.extend(obj.pk for _, obj in batch.instances)
            result.imported += len(batch.instances)
            if progress:
                progress(result)
        return result


    def _check(self, chunk: list[Row]) -> _Batch:
        batch = self._build_all(chunk)
        self._check_in_database(batch)
        return batch

    def _build_all(self, chunk: list[Row]) -> _Batch:
        """Typed, validated instances: no query, so it can run outside a transaction."""
        batch = _Batch(self.table)
        for line, record in chunk:
            instance = self._build(line, record, batch.errors)
            if instance is not None:
                batch.instances.append((line, instance))
        return batch

    def _check_in_database(self, batch: _Batch) -> None:
        self._check_references(batch)
        self._check_unique(batch)

    def _build(self, line: int, record: dict, errors: list[RowError]) -> models.Model | None:
        if "__error__" in record:
            errors.append(RowError(line, None, record["__error__"]))
            return None
        values: dict = {}
        row_errors: list[RowError] = []
        for name, raw in record.items():
            spec = self.table.field(name)
            if spec is None:
                row_errors.append(RowError(line, name, f"{self.table.name} has no such field"))
                continue
            try:
                value = from_text(spec, raw)
            except ValueError as exc:
                row_errors.append(RowError(line, name, str(exc)))
                continue
            model_field = self.model._meta.get_field(spec.model_field)
            if value is None and not model_field.null and model_field.has_default():
                continue  # empty cell: the field's default applies
            values[model_field.attname] = value
        if row_errors:
            errors.extend(row_errors)
            return None
        instance = self.model(**values)
        self._stamp(instance)
        exclude = {spec.model_field for spec in self.table.fields.values() if spec.is_reference}
        exclude |= {"password"}
        if self.number_prefix and not getattr(instance, "number", None):
            exclude.add("number")
        try:
            instance.clean_fields(exclude=exclude)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.extend(RowError(line, name, message) for message in messages)
            return None
        return instance

    def _stamp(self, instance: models.Model) -> None:
        actor = current_actor_name()
        instance.sys_class_name = self.table.name
        instance.sys_created_by = instance.sys_created_by or actor
        instance.sys_updated_by = instance.sys_updated_by or actor
        if isinstance(instance, AbstractBaseUser) and not instance.password:
            instance.set_unusable_password()  # a login is given by staff, never by a file

    def _check_references(self, batch: _Batch) -> None:
        for spec in self.table.fields.values():
            if not spec.is_reference:
                continue
            attname = self.model._meta.get_field(spec.model_field).attname
            wanted = {getattr(obj, attname) for _, obj in batch.instances} - {None}
            if not wanted:
                continue
            related = self.model._meta.get_field(spec.model_field).related_model
            found = set(related._base_manager.filter(pk__in=wanted).values_list("pk", flat=True))
            for line, obj in list(batch.instances):
                value = getattr(obj, attname)
                if value is not None and value not in found:
                    batch.errors.append(RowError(line, spec.name, f"no {spec.reference} record with sys_id {value!r}"))
                    batch.instances.remove((line, obj))

    def _check_unique(self, batch: _Batch) -> None:
        for spec in self.unique_fields:
            attname = self.model._meta.get_field(spec.model_field).attname
            values = {getattr(obj, attname) for _, obj in batch.instances} - {None, ""}
            # User names are unique without regard to case, as the database's index says.
            by_case = issubclass(self.model, User) and spec.name == USER_NAME
            key = user_name_key if by_case else (lambda value: value)
            if by_case:
                existing = user_names_taken(values)
            else:
                existing = set(
                    self.model._base_manager.filter(**{f"{attname}__in": values}).values_list(attname, flat=True)
                ) if values else set()
            seen = self.seen_unique[spec.name]
            for line, obj in list(batch.instances):
                value = getattr(obj, attname)
                if value in (None, ""):
                    continue
                if key(value) in existing or key(value) in seen:
                    where = "in the database" if key(value) in existing else "earlier in the file"
                    batch.errors.append(RowError(line, spec.name, f"{value!r} already exists {where}"))
                    batch.instances.remove((line, obj))
                else:
                    seen.add(key(value))

    def _insert(self, batch: _Batch) -> list[RowError]:
        instances = [obj for _, obj in batch.instances]
        if self.number_prefix:
            missing = [obj for obj in instances if not getattr(obj, "number", None)]
            for obj, number in zip(missing, reserve_numbers(self.number_prefix, len(missing), table=self.table.name),
                                   strict=True):
                obj.number = number
        first_line = batch.instances[0][0] if batch.instances else 0
        try:
            with transaction.atomic():
                if self.model._meta.parents:
                    for obj in instances:
                        obj.save(force_insert=True)
                else:
                    self.model.objects.bulk_create(instances)
        except (IntegrityError, DatabaseError) as exc:
            return [RowError(first_line, None, f"the database refused the batch starting here: {exc}".strip())]
        return []


def remove_written(model: type[models.Model], pks: list, *, batch_size: int = 500) -> list[RowError]:
    """Undo a load committed in batches: delete the rows it wrote (with their parent rows), in
    one transaction. An error row if something now prevents it (a new row refers to one)."""
    if not pks:
        return []
    try:
        with transaction.atomic():
            for start in range(0, len(pks), batch_size):
                model._base_manager.filter(pk__in=pks[start : start + batch_size]).delete()
    except DatabaseError as exc:
        return [RowError(0, None, f"the {len(pks)} rows written before this failure could not be removed: {exc}")]
    return []

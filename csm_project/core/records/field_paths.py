"""`sysparm_fields`: which fields a list or record response carries (docs/encoded-queries.md).

`requested_fields(raw)` turns the parameter into names (`None` means every field: the parameter
is absent or empty). `resolve_requested_fields(table, names)` checks them against the registry,
dot-walking through references (`account.name`); a name that does not resolve is left out, as
the platform leaves out unknown fields. A serializer then reads each value with `read_field` and
answers under the dotted name; `select_related_paths` gives the joins that avoid one query per
row for dot-walked names.

Pitfall: a reference field read without a dot-walk is the referenced sys_id (a string), never
the related object; a dot-walk through an empty reference reads `None`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from csm_project.registry import FieldWalk, TableSpec

__all__ = ["read_field", "requested_fields", "resolve_requested_fields", "select_related_paths"]


def requested_fields(raw: str | None) -> list[str] | None:
    """Names listed in `sysparm_fields`, in order, trimmed, without duplicates; `None` = all fields."""
    if raw is None:
        return None
    names = list(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
    return names or None


def resolve_requested_fields(
    table: TableSpec, names: list[str], may_read: Callable[[TableSpec], bool] | None = None
) -> list[FieldWalk]:
    """The requested names that resolve on `table` (`TableSpec.walk`, the one resolver), in the
    order asked; unknown names are dropped, and so are dot-walks into tables `may_read` refuses
    (`table_reader(user)`: the caller's rights)."""
    paths: list[FieldWalk] = []
    for name in names:
        try:
            paths.append(table.walk(name, may_read=may_read))
        except LookupError:
            continue
    return paths


def read_field(record: models.Model, path: FieldWalk) -> Any:
    """The value of `path` on `record`: a reference as its sys_id, `None` past an empty reference."""
    current: Any = record
    for step in path.steps[:-1]:
        current = getattr(current, step)
        if current is None:
            return None
    last = path.steps[-1]
    if path.spec.is_reference:
        return getattr(current, current._meta.get_field(last).attname)
    return getattr(current, last)


def select_related_paths(paths: list[FieldWalk]) -> list[str]:
    """ORM paths to pass to `select_related` so dot-walked fields cost no query per row."""
    return sorted({path.holder_path for path in paths if path.is_dot_walk})

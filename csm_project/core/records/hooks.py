"""The hook through which each app adds its tables' own domain rules to the generic record
writes (``csm_project.core.records``), so the platform layer never imports an app.

An app registers one ``RecordRules`` per table in its ``AppConfig.ready()``.
"""

from typing import Any

from csm_project.core.errors import FieldError
from csm_project.core.models import SysRecord


class RecordRules:
    """A table's domain rules beyond its fields. The app owning a table subclasses this and
    registers an instance with ``register_rules`` in its ``AppConfig.ready()``."""

    def clean(self, record: SysRecord, *, creating: bool, changed: dict[str, Any]) -> list[FieldError]:
        """Check and complete ``record`` before it is saved.

        ``record`` holds the new values; ``changed`` maps each field the write sets to its
        previous value (``None`` on create). Return the refusals; stamp fields on ``record``.
        """
        return []

    def after_save(self, record: SysRecord, *, creating: bool, changed: dict[str, Any]) -> None:
        """Writes that follow a saved record (in the same transaction)."""

    def clean_new(self, values: dict[str, Any]) -> list[FieldError] | None:
        """The create rules of ``clean`` for a batch: ``values`` are the attribute values of a
        new record (every column, defaults filled in, ``sys_id`` drawn); stamp them in place and
        return the refusals, with no query. ``None`` says the rules need a model instance: the
        caller then builds one and calls ``clean``. Tables whose ``clean`` does something
        override both."""
        if type(self).clean is RecordRules.clean:
            return []
        return None

    def has_after_save(self) -> bool:
        return type(self).after_save is not RecordRules.after_save


_RULES: dict[str, RecordRules] = {}
_NO_RULES = RecordRules()


def register_rules(table: str, rules: RecordRules) -> None:
    _RULES[table] = rules


def rules_for(table: str) -> RecordRules:
    return _RULES.get(table, _NO_RULES)


def registered_rules() -> dict[str, RecordRules]:
    """Every table's registered rules, by table (``sys_script`` lists them)."""
    return dict(_RULES)

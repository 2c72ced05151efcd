"""A bulk load's audit history is the history the same records get written one by one.

On PostgreSQL the audit triggers are statement triggers over the transition tables: a load's
``COPY`` of a batch writes the batch's audit rows with one ``INSERT ... SELECT``; on SQLite row
triggers write them. Either way every field of every loaded row is audited, in the load's
transaction, exactly as a single create through the write engine audits it.
"""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from contacts.models import Account, Contact
from csm_project.core.models import SysAudit
from csm_project.core.records.services import record_create
from csm_project.core.sql.audit import audit_reason

pytestmark = pytest.mark.django_db

ACCOUNTS = [
    {"name": f"Audit {n}", "city": "Paris" if n % 2 else "", "phone": f"+1 555 {n:04d}", "customer": "true"}
    for n in range(12)
]
CONTACTS = [
    {"user_name": f"audit.{n}", "first_name": "Ada", "last_name": f"Lovelace{n}", "email": f"a{n}@example.com"}
    for n in range(12)
]


def _history(keys: list[str], *, drop: frozenset[str] = frozenset()) -> list[list[tuple]]:
    """Per record (in ``keys`` order), its audit rows as (table, field, old, new, user, reason,
    checkpoint), sorted; the values of ``drop`` fields (numbers, drawn anew) left out."""
    rows: dict[str, list[tuple]] = {key: [] for key in keys}
    for row in SysAudit.objects.filter(documentkey__in=keys).values_list(
        "documentkey", "tablename", "fieldname", "oldvalue", "newvalue", "user", "reason", "record_checkpoint"
    ):
        key, table, field, old, new, *rest = row
        rows[key].append((table, field, old, "<drawn>" if field in drop else new, *rest))
    return [sorted(rows[key]) for key in keys]


def _write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _load(*args: str) -> None:
    call_command(*args, stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)


def _same_but(history: list[list[tuple]], field: str, old: str, new: str) -> list[list[tuple]]:
    return [
        [(t, f, o, n.replace(old, new) if f == field else n, *rest) for t, f, o, n, *rest in rows] for rows in history
    ]


def test_imported_accounts_have_the_audit_rows_of_accounts_created_one_by_one(tmp_path):
    _write_csv(tmp_path / "accounts.csv", ACCOUNTS)
    _load("import_records", "customer_account", str(tmp_path / "accounts.csv"))
    loaded = list(Account.objects.filter(name__startswith="Audit ").order_by("number").values_list("pk", flat=True))
    solo = [{**row, "name": row["name"].replace("Audit", "Solo")} for row in ACCOUNTS]
    with audit_reason("import_records accounts.csv"):  # the reason the load gives its rows
        one_by_one = [record_create(table="customer_account", values=row).pk for row in solo]

    imported = _history(loaded, drop=frozenset({"number"}))
    created = _history(one_by_one, drop=frozenset({"number"}))
    # every given field with a value, the number, and the fields with a default: partner, vendor,
    # manufacturer, primary, publicly_traded (false), market_cap, profits, revenue_per_year (0)
    defaults = 8
    assert [len(rows) for rows in created] == [len([v for v in row.values() if v]) + 1 + defaults for row in ACCOUNTS]
    assert _same_but(imported, "name", "Audit", "Solo") == created


def test_imported_contacts_have_the_audit_rows_of_contacts_created_one_by_one(tmp_path):
    _write_csv(tmp_path / "contacts.csv", CONTACTS)
    _load("import_contacts", str(tmp_path / "contacts.csv"))
    loaded = [Contact.objects.get(user_name=row["user_name"]).pk for row in CONTACTS]
    solo = [{**row, "user_name": row["user_name"].replace("audit.", "solo.")} for row in CONTACTS]
    with audit_reason("import_contacts contacts.csv"):
        one_by_one = [record_create(table="customer_contact", values=row).pk for row in solo]

    imported = _history(loaded)
    created = _history(one_by_one)
    assert all(len(rows) >= len(CONTACTS[0]) for rows in created)
    assert _same_but(imported, "user_name", "audit.", "solo.") == created

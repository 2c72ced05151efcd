"""Every operator on every kind of field with every kind of value: compiled and run on the
database, each either applies or is reported invalid. Nothing raises (docs/encoded-queries.md)."""

from datetime import UTC, datetime

import pytest

from contacts.models import Contact
from csm_project.encoded_query.compiler import compile_query
from csm_project.encoded_query.parser import OPERATORS, Term, parse
from csm_project.registry import get_table
from tests.contacts.factories_contacts import ContactFactory
from tests.eqtestapp.models import EqRecord
from tests.eqtestapp.sample import create_sample_records

NOW = datetime(2026, 1, 20, 12, 0, 0, tzinfo=UTC)
FIELDS = [
    "name",
    "state",
    "count",
    "amount",
    "active",
    "opened_at",
    "due",
    "account",
    "account.name",
    "sys_id",
    "payload",
]
VALUES = [
    "",
    "NULL",
    "acme",
    "5",
    "-2.5",
    "true",
    "2026-01-10",
    "2026-01-10 10:00:00",
    "a" * 32,
    "opened_at",
    "a,5,",
    "1@9",
    "x@2026-01-01@2026-01-31",
    "@day@ago@3",
    "opened_at@hour@after@2",
    "Monday@javascript:gs.datePart('dayofweek','monday','EE')",
    "javascript:gs.getUserID()",
    "javascript:gs.beginningOfToday()",
    "javascript:gs.daysAgo(2)",
]


@pytest.mark.django_db
def test_every_operator_on_every_field_type_with_every_value_kind_applies_or_is_invalid():
    create_sample_records()
    table = get_table("eq_test_record")
    applied = 0
    for field in FIELDS:
        for operator in OPERATORS:
            for value in VALUES:
                text = f"{field}{operator}{value}"
                query = parse(text)
                compiled = compile_query(table, query, now=NOW, user_sys_id="f" * 32)
                rows = list(EqRecord.objects.filter(compiled.q).order_by(*compiled.order_by).values_list("pk"))
                assert len(rows) <= 4, text
                applied += not compiled.invalid and isinstance(query.terms()[0], Term)
    # a good share of the combinations is meaningful, so the loop exercises real SQL
    assert applied > 1500


@pytest.mark.django_db
def test_ordering_by_every_field_type_runs_or_is_invalid():
    create_sample_records()
    table = get_table("eq_test_record")
    for field in [*FIELDS, "closed_at", "description", "sys_created_on"]:
        for prefix in ("ORDERBY", "ORDERBYDESC"):
            compiled = compile_query(table, parse(prefix + field), now=NOW)
            rows = list(EqRecord.objects.order_by(*compiled.order_by).values_list("pk", flat=True))
            assert len(rows) == 4
            assert bool(compiled.invalid) == (field == "payload"), field


@pytest.mark.django_db
def test_every_operator_on_the_contact_table_applies_or_is_invalid():
    """The real `customer_contact` table: multi-table inheritance, a float, references to users."""
    contact = ContactFactory(latitude=51.5, failed_attempts=2, last_login_time=NOW)
    ContactFactory(account=None, manager=contact)
    table = get_table("customer_contact")
    for field in ["last_name", "failed_attempts", "latitude", "vip", "last_login_time", "account", "manager.name"]:
        for operator in OPERATORS:
            for value in VALUES:
                compiled = compile_query(table, parse(f"{field}{operator}{value}"), now=NOW)
                assert len(list(Contact.objects.filter(compiled.q).order_by(*compiled.order_by))) <= 2

"""A record's history is found through the audit's index, on both databases, however staff or
clients ask for it: the history under the record's admin page, the admin's audit list filtered
by the record (its "Audit history" button, the search box) and the Table API's
``sys_audit?sysparm_query=documentkey=<sys_id>``.

Each statement these requests send to ``sys_audit`` is captured with its parameters and
explained, with sequential scans made as unattractive as the planner allows; a plan that still
reads the whole table fails (at millions of audit rows that is a second per look-up, see
benchmarks/audit_bench.py).
"""

import pytest
from django.db import connection
from django.test import Client

from csm_project.core.models import SysAudit
from tests.conftest import basic_auth
from tests.contacts.factories_contacts import AccountFactory
from tests.core.sql.test_list_plans import _reads_whole_table

pytestmark = pytest.mark.django_db


class AuditStatements:
    """Collects the SELECTs on ``sys_audit`` sent while it is installed, with their parameters."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        if isinstance(sql, str) and sql.lstrip().upper().startswith("SELECT") and '"sys_audit"' in sql:
            self.statements.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)


def plan_of(sql: str, params: tuple) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def audit_plans(send) -> list[str]:
    """The plans of the statements on sys_audit that ``send()`` makes (at least one)."""
    collected = AuditStatements()
    with connection.execute_wrapper(collected):
        send()
    assert collected.statements, "no statement read sys_audit"
    return [plan_of(sql, params) for sql, params in collected.statements]


def assert_index_served(plans: list[str]) -> None:
    for plan in plans:
        assert not _reads_whole_table("sys_audit", plan), f"reads the whole audit table:\n{plan}"
        assert "sys_audit_documentkey_idx" in plan, plan


@pytest.fixture
def history():
    """A few records with history, so the planner has rows to choose among."""
    accounts = [AccountFactory() for _ in range(5)]
    accounts[0].city = "Lyon"
    accounts[0].save()
    return accounts[0]


@pytest.fixture
def staff(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_the_history_under_a_record_page_is_index_served(staff, history):
    def send():
        response = staff.get(f"/admin/contacts/account/{history.pk}/change/")
        assert response.status_code == 200
        assert history.pk in response.content.decode()

    assert_index_served(audit_plans(send))


@pytest.mark.parametrize(
    "query", ["sysparm_query=documentkey={sys_id}", "sysparm_query=documentkey={SYS_ID}", "q={sys_id}"]
)
def test_the_admin_audit_list_of_one_record_is_index_served(staff, history, query):
    url = "/admin/core/sysaudit/?" + query.format(sys_id=history.pk, SYS_ID=history.pk.upper())

    def send():
        response = staff.get(url)
        assert response.status_code == 200
        assert response.context["cl"].result_count == SysAudit.objects.filter(documentkey=history.pk).count() > 1

    assert_index_served(audit_plans(send))


def test_the_table_api_history_of_a_record_is_index_served(client, admin_user, history):
    admin_user.set_password("audit-pass-1")
    admin_user.save()
    expected = SysAudit.objects.filter(documentkey=history.pk).count()

    def send():
        response = client.get(
            f"/api/now/table/sys_audit?sysparm_query=documentkey={history.pk.upper()}",
            HTTP_AUTHORIZATION=basic_auth(admin_user.user_name, "audit-pass-1"),
        )
        assert response.status_code == 200
        result = response.json()["result"]
        assert len(result) == expected > 1 and {row["documentkey"] for row in result} == {history.pk}
        assert response.headers["X-Total-Count"] == str(expected)

    assert_index_served(audit_plans(send))


def test_documentkey_is_stored_lower_cased(history):
    keys = set(SysAudit.objects.filter(tablename="customer_account").values_list("documentkey", flat=True))
    assert history.pk in keys and all(key == key.lower() for key in keys)

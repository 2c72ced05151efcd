"""Exact row counts: the unfiltered lists' X-Total-Count equals COUNT(*) after every kind of write.

On PostgreSQL the count comes from the table's counter (``csm_project.core.sql.row_counts``); each
test compares it with a real ``COUNT(*)`` and checks the counter, not a fallback, answered. On
SQLite the count is ``COUNT(*)`` itself and the same assertions hold.
"""

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from contacts.models import Account, Contact, CustomContact
from csm_project.core.sql import row_counts
from csm_project.core.sql.row_counts import COMPACT_ABOVE, COUNT_TABLE, counter_serves, exact_count
from tests.concurrency import run_together
from tests.conftest import on_postgresql

pytestmark = pytest.mark.django_db


def count_star(table: str, using: str = "default") -> int:
    with connections[using].cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - a test's own table names
        return cursor.fetchone()[0]


def delta_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {COUNT_TABLE} WHERE table_name = %s", [table])  # noqa: S608
        return cursor.fetchone()[0]


def assert_exact(model) -> int:
    """The model's whole-table count equals COUNT(*) of its own table, and on PostgreSQL the
    counter (not COUNT) gave it."""
    table = model._meta.db_table
    expected = count_star(table)
    queryset = model._default_manager.all()
    assert counter_serves(queryset) is on_postgresql()
    if on_postgresql():
        assert row_counts.stored_count(connection, table) == expected
    assert exact_count(queryset) == expected
    return expected


def new_accounts(count: int, prefix: str = "Acct") -> list[Account]:
    return Account.objects.bulk_create(
        [Account(name=f"{prefix} {n}", number=f"T{prefix[:4]}{n:07d}") for n in range(count)]
    )


def test_a_filtered_or_sliced_queryset_is_counted_by_the_database():
    new_accounts(3)
    assert not counter_serves(Account.objects.filter(name="Acct 1"))
    assert not counter_serves(Account.objects.all()[:2])
    assert not counter_serves(Account.objects.all().distinct())
    assert not counter_serves(Account.objects.none())
    assert exact_count(Account.objects.filter(name="Acct 1")) == 1
    assert exact_count(Account.objects.none()) == 0


def test_bulk_create_and_queryset_delete_keep_the_count_exact():
    before = assert_exact(Account)
    new_accounts(25)
    assert assert_exact(Account) == before + 25
    Account.objects.filter(name__in=["Acct 1", "Acct 2", "Acct 3"]).delete()
    assert assert_exact(Account) == before + 22
    Account.objects.all().delete()
    assert assert_exact(Account) == 0


def test_a_contact_counts_in_its_own_table_and_its_parent(make_user):
    users_before, contacts_before = count_star("sys_user"), count_star("customer_contact")
    make_user()  # a user that is no contact
    for n in range(3):
        Contact.objects.create(user_name=f"count.contact{n}", last_name=f"Count {n}")
    assert assert_exact(Contact) == contacts_before + 3
    from csm_project.core.models import User

    assert assert_exact(User) == users_before + 4
    Contact.objects.filter(user_name="count.contact0").delete()
    assert assert_exact(Contact) == contacts_before + 2
    assert assert_exact(User) == users_before + 3


def test_a_rolled_back_insert_leaves_the_count_alone():
    before = assert_exact(Account)
    with pytest.raises(RuntimeError), transaction.atomic():
        new_accounts(5)
        assert exact_count(Account.objects.all()) == before + 5  # the writer sees its own rows
        raise RuntimeError("roll back")
    assert assert_exact(Account) == before


def test_the_import_command_copy_is_counted(tmp_path):
    before = assert_exact(Contact)
    path = tmp_path / "contacts.csv"
    lines = ["user_name,first_name,last_name,email"]
    lines += [f"import.count{n},First{n},Last{n},import{n}@example.com" for n in range(40)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    call_command("import_records", "customer_contact", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert assert_exact(Contact) == before + 40


def test_truncate_resets_the_counter():
    CustomContact.objects.bulk_create([CustomContact(name=f"Custom {n}") for n in range(4)])
    assert assert_exact(CustomContact) >= 4
    with connection.cursor() as cursor:
        if on_postgresql():
            cursor.execute("TRUNCATE sn_cc_custom_contact")
        else:
            cursor.execute("DELETE FROM sn_cc_custom_contact")
    assert assert_exact(CustomContact) == 0
    CustomContact.objects.create(name="After")
    assert assert_exact(CustomContact) == 1


def test_many_writes_are_folded_into_one_row_on_read():
    before = assert_exact(Account)
    written = 0
    # Writers fold now and then themselves (at random); write until more deltas than a read
    # leaves alone are waiting (on SQLite, where there are none, a fixed number of writes).
    while written < COMPACT_ABOVE + 5 or (on_postgresql() and delta_rows("customer_account") <= COMPACT_ABOVE):
        assert written < 5000
        Account.objects.create(name=f"One by one {written}")
        written += 1
    Account.objects.filter(name="One by one 0").delete()
    assert assert_exact(Account) == before + written - 1  # this read folds
    if on_postgresql():
        assert delta_rows("customer_account") == 1
    Account.objects.create(name="After compaction")
    assert assert_exact(Account) == before + written


@pytest.mark.postgres
def test_writers_fold_the_deltas_of_a_table_seldom_read():
    """2,000 one-row insert statements, never a read in between: writers fold now and then (one
    statement in FOLD_EVERY at random), so far fewer delta rows are left than statements. The
    chance of no fold in the last 1,200 statements is about 1 in 10^8."""
    before = assert_exact(CustomContact)
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN FOR i IN 1..2000 LOOP INSERT INTO sn_cc_custom_contact (sys_id, name, sys_created_on, "
            "sys_created_by, sys_updated_on, sys_updated_by, sys_mod_count, sys_domain, sys_domain_path, "
            "sys_class_name) VALUES (md5(i::text), 'Loop ' || i, now(), 'x', now(), 'x', 0, 'global', '/', "
            "'sn_cc_custom_contact'); END LOOP; END $$"
        )
    assert delta_rows("sn_cc_custom_contact") < 1200
    assert assert_exact(CustomContact) == before + 2000


def test_the_command_compacts_every_table():
    new_accounts(3)
    new_accounts(3, prefix="More")
    out = io.StringIO()
    call_command("compact_row_counts", stdout=out)
    if on_postgresql():
        assert "Compacted the counters of" in out.getvalue()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {COUNT_TABLE} GROUP BY table_name HAVING count(*) > 1")  # noqa: S608
            assert cursor.fetchall() == []
    else:
        assert "COUNT(*)" in out.getvalue()
    assert assert_exact(Account) >= 6


def test_rows_written_without_triggers_are_counted_again_by_migrate():
    """A migration's data changes are not counted as they happen (the triggers are down while
    migrations run); the counts are taken again afterwards."""
    row_counts.before_migrate(sender=None)
    new_accounts(7)  # as a data migration would, with no counting triggers in place
    if on_postgresql():
        assert row_counts.stored_count(connection, "customer_account") != count_star("customer_account")
    call_command("migrate", verbosity=0)
    assert assert_exact(Account) >= 7
    new_accounts(2, prefix="Later")  # the triggers are back
    assert_exact(Account)


def test_unfiltered_lists_answer_the_exact_total(client_for):
    client = client_for("csm_ws_integration")
    for n in range(3):
        response = client.post(
            "/api/now/contact", {"user_name": f"api.count{n}", "last_name": f"Api {n}"}, format="json"
        )
        assert response.status_code == 201, response.content
    with CaptureQueriesContext(connection) as queries:
        listing = client.get("/api/now/contact")
    assert listing.status_code == 200
    assert int(listing["X-Total-Count"]) == count_star("customer_contact") == assert_exact(Contact)
    statements = [query["sql"] for query in queries]
    counted = [sql for sql in statements if "COUNT(" in sql.upper() and COUNT_TABLE not in sql]
    if on_postgresql():  # the counter answered: no COUNT over the contacts
        assert not [sql for sql in counted if "customer_contact" in sql], counted
        assert any(COUNT_TABLE in sql for sql in statements)

    admin = client_for(is_superuser=True, is_staff=True)
    created = admin.post("/api/now/table/customer_account", {"name": "Through the Table API"}, format="json")
    assert created.status_code == 201
    table_list = admin.get("/api/now/table/customer_account", {"sysparm_limit": 2})
    assert int(table_list["X-Total-Count"]) == count_star("customer_account")
    assert len(table_list.json()["result"]) == min(2, count_star("customer_account"))
    deleted = admin.delete(f"/api/now/table/customer_account/{created.json()['result']['sys_id']}")
    assert deleted.status_code == 204
    assert int(admin.get("/api/now/table/customer_account")["X-Total-Count"]) == count_star("customer_account")
    assert int(admin.get("/api/now/table/customer_account", {"sysparm_limit": 0})["X-Total-Count"]) == count_star(
        "customer_account"
    )

    leads = client_for("sn_lead_mgmt_core.lead_integrator").get("/api/sn_lead_mgmt_core/lead")
    assert leads.status_code == 200
    assert int(leads["Total-Count"]) == count_star("sn_lead_mgmt_core_lead")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_flush_resets_every_counter():
    new_accounts(5)
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert assert_exact(Account) == 0
    new_accounts(2)
    assert assert_exact(Account) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_open_insert_does_not_hold_up_another():
    """One transaction has inserted and not committed; another inserts and commits meanwhile
    (it would wait forever behind a single counter row), then the first commits."""
    before = assert_exact(CustomContact)
    first_wrote, second_done = threading.Event(), threading.Event()
    seen: dict[str, int] = {}

    def first() -> None:
        with transaction.atomic():
            CustomContact.objects.bulk_create([CustomContact(name=f"First {n}") for n in range(3)])
            first_wrote.set()
            assert second_done.wait(60), "the second writer was held up by the first"
        connections.close_all()

    def second() -> None:
        assert first_wrote.wait(60)
        with transaction.atomic():
            CustomContact.objects.create(name="Second")
        seen["committed"] = exact_count(CustomContact.objects.all())
        seen["count_star"] = count_star("sn_cc_custom_contact")
        second_done.set()
        connections.close_all()

    errors: list[BaseException] = []

    def guarded(target):
        def run():
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                errors.append(exc)
                first_wrote.set()
                second_done.set()

        return run

    threads = [threading.Thread(target=guarded(first)), threading.Thread(target=guarded(second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert seen == {"committed": before + 1, "count_star": before + 1}  # the open insert not seen
    assert assert_exact(CustomContact) == before + 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_and_deletes_from_many_connections_count_exactly():
    before = assert_exact(CustomContact)

    def work(index: int) -> int:
        for batch in range(5):
            CustomContact.objects.bulk_create([CustomContact(name=f"W{index} B{batch} R{n}") for n in range(4)])
            CustomContact.objects.create(name=f"W{index} single {batch}")
        CustomContact.objects.filter(name=f"W{index} B0 R0").delete()
        return exact_count(CustomContact.objects.all())

    seen = run_together(work, 6)
    # Each writer sees at least its own 24 rows, at most everyone's 25 but its own deleted one.
    assert all(before + 24 <= value <= before + 5 * 25 + 24 for value in seen), seen
    assert assert_exact(CustomContact) == before + 6 * 24

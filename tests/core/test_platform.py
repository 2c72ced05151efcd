"""The record base, numbers, journal, properties, roles, registry and settings."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from csm_project.core.access.actor import acting_as
from csm_project.core.models import JournalEntry, NumberCounter, Role, SystemProperty, User
from csm_project.core.properties import INVALID_QUERY_RETURNS_NO_ROWS, property_bool
from csm_project.core.records.journal import journal_add, journal_for
from csm_project.core.sql.numbers import next_number, reserve_numbers
from csm_project.registry import FieldType, UnknownTable, get_table
from tests.concurrency import run_together
from tests.conftest import basic_auth

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_new_record_gets_a_sys_id_and_system_fields(make_user):
    with acting_as(make_user(user_name="creator")):
        role = Role.objects.create(name="probe_role")
    assert len(role.sys_id) == 32 and int(role.sys_id, 16) >= 0 and role.sys_id == role.sys_id.lower()
    assert role.sys_mod_count == 0
    assert role.sys_created_by == role.sys_updated_by == "creator"
    assert role.sys_class_name == "sys_user_role"
    assert (role.sys_domain, role.sys_domain_path) == ("global", "/")


@pytest.mark.django_db
def test_sys_mod_count_moves_on_every_update_and_records_who(make_user):
    role = Role.objects.create(name="probe_role")
    assert role.sys_created_by == "system"
    with acting_as(make_user(user_name="editor")):
        role.description = "one"
        role.save()
        role.description = "two"
        role.save(update_fields=["description"])
    assert role.sys_mod_count == 2
    stored = Role.objects.get(pk=role.pk)
    assert (stored.sys_mod_count, stored.sys_updated_by, stored.description) == (2, "editor", "two")
    assert stored.sys_updated_on >= stored.sys_created_on


@pytest.mark.django_db
def test_stale_copies_both_count_their_update():
    role = Role.objects.create(name="probe_role")
    first, second = Role.objects.get(pk=role.pk), Role.objects.get(pk=role.pk)
    first.save()
    second.save()
    assert Role.objects.get(pk=role.pk).sys_mod_count == 2


@pytest.mark.django_db
def test_empty_strings_are_stored_as_null():
    user = User.objects.create_user("blank.fields", "pw", first_name="", email="")
    assert User.objects.filter(pk=user.pk, first_name__isnull=True, email__isnull=True).exists()


@pytest.mark.django_db
def test_numbers_are_prefixed_padded_and_increasing():
    assert [next_number("TST") for _ in range(3)] == ["TST0000001", "TST0000002", "TST0000003"]
    assert reserve_numbers("TST", 2) == ["TST0000004", "TST0000005"]


@pytest.mark.django_db
def test_staff_can_move_the_next_number():
    next_number("TST")
    NumberCounter.objects.filter(prefix="TST").update(next_value=1000)
    assert next_number("TST") == "TST0001000"


@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_never_draw_the_same_number():
    threads_count, per_thread = 8, 25
    batches = run_together(lambda _: [next_number("CONC") for _ in range(per_thread)], threads_count)
    drawn = [number for batch in batches for number in batch]
    assert len(drawn) == threads_count * per_thread
    assert len(set(drawn)) == len(drawn)
    assert sorted(drawn) == [f"CONC{n:07d}" for n in range(1, len(drawn) + 1)]


@pytest.mark.django_db(transaction=True)
def test_a_block_drawn_apart_is_a_gap_when_its_transaction_rolls_back():
    """A bulk load's block is committed at once (on PostgreSQL, by a second connection), so the
    load holds no counter lock; rolled back, the load leaves its numbers unused, never reused."""
    from django.db import transaction

    next_number("APRT")
    with pytest.raises(RuntimeError), transaction.atomic():
        block = reserve_numbers("APRT", 3, apart=True)
        raise RuntimeError("the load fails")
    assert block == ["APRT0000002", "APRT0000003", "APRT0000004"]
    after = next_number("APRT")
    assert after == ("APRT0000005" if connection.vendor == "postgresql" else "APRT0000002")


@pytest.mark.django_db(transaction=True)
def test_a_transaction_holding_its_counter_draws_its_block_itself():
    """A transaction that drew from (or created) a counter holds its row: a second connection would
    wait for it, so the block is drawn in the transaction itself, consecutive with its draws."""
    from django.db import transaction

    with transaction.atomic():
        assert next_number("HELD") == "HELD0000001"
        assert reserve_numbers("HELD", 2, apart=True) == ["HELD0000002", "HELD0000003"]
        assert next_number("HELD") == "HELD0000004"


@pytest.mark.django_db
def test_journal_entries_attach_to_any_record_newest_first(make_user):
    role = Role.objects.create(name="probe_role")
    author = make_user(user_name="noter", first_name="Nora", last_name="Noter")
    with acting_as(author):
        journal_add(record=role, text="first")
        journal_add(record=role, text="second")
    entries = journal_for(table="sys_user_role", sys_ids=[role.pk])[role.pk]
    assert [e.value for e in entries] == ["second", "first"]
    assert {e.author.name for e in entries} == {"Nora Noter"}
    assert JournalEntry.objects.filter(element_id=role.pk, sys_created_by="noter").count() == 2


@pytest.mark.django_db
def test_system_property_change_applies_without_restart():
    assert property_bool(INVALID_QUERY_RETURNS_NO_ROWS) is False  # shipped default
    prop = SystemProperty.objects.get(name=INVALID_QUERY_RETURNS_NO_ROWS)
    prop.value = "true"
    prop.save()
    assert property_bool(INVALID_QUERY_RETURNS_NO_ROWS) is True


@pytest.mark.django_db
def test_platform_roles_exist_after_migrate():
    assert set(Role.objects.values_list("name", flat=True)) >= {
        "admin",
        "csm_ws_integration",
        "interaction_agent",
        "sn_lead_mgmt_core.lead_integrator",
        "contact_center_admin",
        "contact_center_agent",
    }


@pytest.mark.django_db
def test_grant_role_command_grants_and_revokes(make_user):
    user = make_user(user_name="granted")
    out = StringIO()
    call_command("grant_role", "granted", "csm_ws_integration", "interaction_agent", stdout=out)
    assert User.objects.get(pk=user.pk).role_names() == {"csm_ws_integration", "interaction_agent"}
    call_command("grant_role", "granted", "interaction_agent", "--revoke", stdout=out)
    assert User.objects.get(pk=user.pk).role_names() == {"csm_ws_integration"}
    with pytest.raises(CommandError, match="Unknown role"):
        call_command("grant_role", "granted", "no_such_role", stdout=out)
    with pytest.raises(CommandError, match="No user"):
        call_command("grant_role", "nobody", "admin", stdout=out)


@pytest.mark.django_db
def test_revoked_role_closes_the_api_at_once(client_for, settings):
    settings.ROOT_URLCONF = "tests.core.plumbing_urls"
    client = client_for("csm_ws_integration")
    assert client.get("/api/now/probe").status_code == 200
    call_command("grant_role", client.user.user_name, "csm_ws_integration", "--revoke", stdout=StringIO())
    assert client.get("/api/now/probe").status_code == 403


@pytest.mark.django_db
def test_changed_password_is_not_served_from_the_credential_cache(client_for, settings):
    settings.ROOT_URLCONF = "tests.core.plumbing_urls"
    client = client_for("csm_ws_integration")
    assert client.get("/api/now/probe").status_code == 200
    user = User.objects.get(pk=client.user.pk)
    user.set_password("a-new-password")
    user.save()
    assert client.get("/api/now/probe").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=basic_auth(user.user_name, "a-new-password"))
    assert client.get("/api/now/probe").status_code == 200


@pytest.mark.django_db
def test_seed_demo_creates_role_users_and_is_idempotent():
    call_command("seed_demo", "--password", "demo-pass", stdout=StringIO())
    expected = {"admin", "csm.integration", "interaction.agent", "lead.integrator", "cc.admin", "cc.agent", "no.role"}
    assert expected <= set(User.objects.values_list("user_name", flat=True))
    assert User.objects.get(user_name="lead.integrator").has_role("sn_lead_mgmt_core.lead_integrator")
    assert not User.objects.get(user_name="no.role").role_names()
    assert User.objects.get(user_name="admin").is_superuser
    assert User.objects.get(user_name="admin").sys_id == "6816f79cc0a8016401c5a33be04be441"
    counts = {model: model.objects.count() for model in (User, Role, JournalEntry)}
    call_command("seed_demo", stdout=StringIO())
    assert {model: model.objects.count() for model in counts} == counts
    assert User.objects.get(user_name="cc.agent").check_password("demo-pass")


@pytest.mark.django_db
def test_registry_maps_wire_tables_and_never_exposes_passwords():
    users = get_table("sys_user")
    assert users.model is User and users.display_field == "name"
    assert users.field("user_name").type is FieldType.STRING
    assert users.field("active").type is FieldType.BOOLEAN
    assert users.field("sys_created_on").type is FieldType.DATETIME
    assert users.field("password") is None and users.field("is_superuser") is None
    assert get_table("sys_journal_field").field("author").reference == "sys_user"
    with pytest.raises(UnknownTable):
        get_table("no_such_table")


def _import_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "-c", "import csm_project.settings as s; print(s.DEBUG)"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_required_unless_debug():
    refused = _import_settings({})
    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr
    assert _import_settings({"DEBUG": "true"}).returncode == 0
    assert _import_settings({"SECRET_KEY": "k"}).stdout.strip() == "False"


def test_bad_boolean_setting_fails_loudly():
    result = _import_settings({"DEBUG": "maybe"})
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


@pytest.mark.django_db
def test_database_is_the_configured_one():
    expected = "postgresql" if "postgres" in os.environ.get("DATABASE_URL", "") else "sqlite"
    assert connection.vendor == expected


@pytest.mark.django_db
def test_user_names_are_unique_without_regard_to_case():
    from django.db import IntegrityError, transaction

    User.objects.create_user("Case.Sensitive", "pw")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("case.sensitive", "pw")


@pytest.mark.postgres  # SQLite has one writer at a time: its numbers come from the counter row
@pytest.mark.django_db(transaction=True)
def test_two_transactions_draw_numbers_without_waiting_on_each_other():
    """On PostgreSQL a number comes from the prefix's sequence: while one transaction that drew a
    number is still open, a second one draws its own at once (no lock wait), and both differ.
    The second transaction's backend is watched: waiting on a lock fails the test at once."""
    import threading

    from django.db import transaction

    next_number("PAR")  # the counter (and its sequence) exists and is committed
    first_drawn, second_done, release = threading.Event(), threading.Event(), threading.Event()
    second_pid: list[int] = []
    drawn: dict[str, str] = {}

    def first(_):
        try:
            with transaction.atomic():
                drawn["first"] = next_number("PAR")
                first_drawn.set()
                release.wait()
        finally:
            first_drawn.set()

    def second(_):
        try:
            first_drawn.wait()
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.append(cursor.fetchone()[0])
            with transaction.atomic():
                drawn["second"] = next_number("PAR")
        finally:
            second_done.set()

    waited_on_a_lock = False
    threads = [threading.Thread(target=_in_thread, args=(work,)) for work in (first, second)]
    for thread in threads:
        thread.start()
    try:
        first_drawn.wait()
        with connection.cursor() as cursor:
            while not second_done.is_set():
                if second_pid:
                    cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [second_pid[0]])
                    row = cursor.fetchone()
                    if row is not None and row[0] == "Lock" and not second_done.is_set():
                        waited_on_a_lock = True
                        break
                second_done.wait(0.01)
    finally:
        release.set()
        for thread in threads:
            thread.join()
    assert not waited_on_a_lock, "the second transaction waited for the first one's number"
    assert drawn["first"] != drawn["second"]
    assert {drawn["first"], drawn["second"]} == {"PAR0000002", "PAR0000003"}


def _in_thread(work) -> None:
    from django.db import connections

    try:
        work(None)
    finally:
        connections.close_all()

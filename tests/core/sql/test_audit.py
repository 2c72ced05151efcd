"""sys_audit: every write path leaves field-level rows with the actor and checkpoint, in the
same transaction as the change (so a rolled-back write leaves none). Runs on SQLite and on
PostgreSQL alike (the triggers differ per database; the rows must not)."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from contacts.models import Account, Contact, CustomContact
from csm_project.core.access.actor import acting_as
from csm_project.core.models import SysAudit
from csm_project.core.records.choices import choices_ensure
from csm_project.core.sql.audit import audit_reason, audit_triggers_installed, audited_tables
from interactions.models import Interaction, InteractionConnector, Queue
from leads.demo import CHOICES
from leads.models import LEAD_TABLE, LINE_ITEM_TABLE, Lead, LeadLineItem, ProductOffering
from tests.contacts.factories_contacts import AccountFactory

pytestmark = pytest.mark.django_db

LEAD_URL = "/api/sn_lead_mgmt_core/lead"


def rows(documentkey: str, **filters) -> list[SysAudit]:
    return list(SysAudit.objects.filter(documentkey=documentkey, **filters).order_by("sys_created_on", "fieldname"))


def changes(documentkey: str, checkpoint: int | None = None, **filters) -> dict[str, tuple[str, str]]:
    """{field: (old, new)} of one record's rows (optionally those of one checkpoint)."""
    if checkpoint is not None:
        filters["record_checkpoint"] = checkpoint
    return {row.fieldname: (row.oldvalue, row.newvalue) for row in rows(documentkey, **filters)}


def users(documentkey: str) -> set[str]:
    return {row.user for row in rows(documentkey)}


def test_every_registered_table_but_the_audit_itself_has_triggers():
    tables = {table.wire_name for table in audited_tables()}
    assert "sys_audit" not in tables
    assert {"customer_contact", "sys_user", LEAD_TABLE, LINE_ITEM_TABLE, "interaction"} <= tables
    assert audit_triggers_installed(connection) >= 3 * len(tables) - 3


def test_insert_update_and_delete_write_wire_values_user_and_checkpoint(make_user):
    clerk = make_user(user_name="clerk")
    with acting_as(clerk), audit_reason("a test"):
        lead = Lead.objects.create(last_name="Wilson", lead_score="12.5", do_not_call=True, city="Paris")
    inserted = rows(lead.pk)
    assert {row.fieldname: row.newvalue for row in inserted} == {
        "number": lead.number,
        "stage": "100_new",
        "lead_score": "12.50",
        "last_name": "Wilson",
        "city": "Paris",
        "do_not_call": "true",
        "do_not_email": "false",
        "do_not_share": "false",
    }
    assert {(row.oldvalue, row.user, row.reason, row.record_checkpoint, row.tablename) for row in inserted} == {
        ("", "clerk", "a test", 0, LEAD_TABLE)
    }
    assert {(row.sys_created_by, row.sys_class_name, len(row.sys_id)) for row in inserted} == {
        ("clerk", "sys_audit", 32)
    }

    with acting_as(clerk):
        lead.city = None
        lead.closed_date = "2026-03-04T05:06:07.890+00:00"
        lead.save()
    assert changes(lead.pk, checkpoint=1) == {"city": ("Paris", ""), "closed_date": ("", "2026-03-04 05:06:07")}

    pk = lead.pk
    lead.delete()  # as the system
    deleted = changes(pk, checkpoint=1, user="system")
    assert deleted["DELETED"] == (lead.number, "")
    assert deleted["last_name"] == ("Wilson", "")


def test_an_update_that_changes_nothing_writes_nothing(make_lead_row):
    lead = make_lead_row()
    before = SysAudit.objects.count()
    lead.save()
    assert SysAudit.objects.count() == before


@pytest.fixture
def make_lead_row(db):
    return lambda **fields: Lead.objects.create(**{"last_name": "Row", **fields})


def test_queryset_update_and_bulk_create_are_audited(make_user, make_lead_row):
    lead = make_lead_row(city="Oslo")
    with acting_as(make_user(user_name="bulk.writer")):
        Lead.objects.filter(pk=lead.pk).update(city="Bergen", sys_mod_count=lead.sys_mod_count + 5)
        created = Lead.objects.bulk_create([Lead(last_name=f"Bulk {n}", number=f"BULK{n}") for n in range(3)])
    assert changes(lead.pk, checkpoint=5) == {"city": ("Oslo", "Bergen")}
    for record in created:
        assert changes(record.pk)["last_name"][1].startswith("Bulk ")
        assert users(record.pk) == {"bulk.writer"}


def test_a_rolled_back_write_leaves_no_audit_rows(make_lead_row):
    lead = make_lead_row(city="Oslo")
    before = SysAudit.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        lead.city = "Rome"
        lead.save()
        Lead.objects.create(last_name="Never")
        raise RuntimeError("the caller gives up")
    assert SysAudit.objects.count() == before
    assert not SysAudit.objects.filter(newvalue__in=["Rome", "Never"]).exists()


def test_every_write_of_a_transaction_carries_the_actor_and_reason_of_its_moment(make_user, make_lead_row):
    """The acting user and reason are handed to the triggers once per transaction and again
    when they change, also after a rolled-back savepoint took a change back."""
    first, second = make_user(user_name="first.actor"), make_user(user_name="second.actor")
    lead = make_lead_row(city="Oslo")
    with transaction.atomic():
        with acting_as(first):
            Lead.objects.filter(pk=lead.pk).update(city="Bergen", sys_mod_count=1)
            with pytest.raises(RuntimeError), transaction.atomic(), acting_as(second):
                Lead.objects.filter(pk=lead.pk).update(city="Never", sys_mod_count=2)
                raise RuntimeError("give the savepoint up")
            Lead.objects.filter(pk=lead.pk).update(city="Tromso", sys_mod_count=3)
            with audit_reason("second thoughts"):
                Lead.objects.filter(pk=lead.pk).update(city="Alta", sys_mod_count=4)
        with acting_as(second):
            Lead.objects.filter(pk=lead.pk).update(city="Narvik", sys_mod_count=5)
    written = {row.record_checkpoint: (row.newvalue, row.user, row.reason) for row in rows(lead.pk, fieldname="city")}
    assert {checkpoint: written[checkpoint] for checkpoint in (1, 3, 4, 5)} == {
        1: ("Bergen", "first.actor", ""),
        3: ("Tromso", "first.actor", ""),
        4: ("Alta", "first.actor", "second thoughts"),
        5: ("Narvik", "second.actor", ""),
    }
    assert 2 not in written


# --- The APIs ------------------------------------------------------------------------------


def test_contact_api_post(contact_integration_client):
    account = AccountFactory()
    response = contact_integration_client.post(
        "/api/now/contact",
        json.dumps(
            {"first_name": "Ann", "last_name": "Lee", "user_name": "ann.lee", "account": account.sys_id, "vip": True}
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    sys_id = response.json()["result"]
    got = changes(sys_id)
    assert got["user_name"] == ("", "ann.lee")
    assert got["account"] == ("", account.sys_id)
    assert got["vip"] == ("", "true")
    assert {row.tablename for row in rows(sys_id)} == {"customer_contact"}
    assert users(sys_id) == {contact_integration_client.user.user_name}


def test_interaction_post_and_close(interaction_agent_client):
    channel = InteractionConnector.objects.create(name="Chat")
    queue = Queue.objects.create(name="Billing")
    response = interaction_agent_client.post(
        "/api/now/interaction",
        json.dumps({"channel": channel.sys_id, "queue": queue.sys_id}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    interaction = Interaction.objects.get()
    agent = interaction_agent_client.user
    assert changes(interaction.pk, checkpoint=0)["queue"] == ("", queue.sys_id)

    response = interaction_agent_client.post(f"/api/now/interaction/{interaction.pk}/close")
    assert response.status_code == 200
    interaction.refresh_from_db()
    closed = changes(interaction.pk, checkpoint=interaction.sys_mod_count)
    assert closed["state"] == ("queued", "closed_complete")
    assert closed["closed_by"] == ("", agent.sys_id)
    assert closed["closed_at"][1] == interaction.closed_at.strftime("%Y-%m-%d %H:%M:%S")
    assert users(interaction.pk) == {agent.user_name}


@pytest.fixture
def catalogue(db):
    for element, values in CHOICES.items():
        choices_ensure(table=LEAD_TABLE, element=element, values=values)
    return {"modem": ProductOffering.objects.create(name="Solana Modem M Series", code="SOLANAMODE2")}


@pytest.fixture
def lead_client(client_for):
    return client_for("sn_lead_mgmt_core.lead_integrator", first_name="Abel", last_name="Tuter")


def test_lead_post_and_patch_with_line_items(lead_client, catalogue):
    modem = catalogue["modem"]
    response = lead_client.post(
        LEAD_URL,
        {
            "last_name": "Wilson",
            "city": "Paris",
            "lead_line_items": [{"product_offering": {"sys_id": modem.pk}, "quantity": 2}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    lead = Lead.objects.get()
    item = LeadLineItem.objects.get()
    assert changes(lead.pk, checkpoint=0)["city"] == ("", "Paris")
    assert changes(item.pk, checkpoint=0)["quantity"] == ("", "2")
    assert changes(item.pk)["lead"] == ("", lead.pk)

    response = lead_client.patch(
        f"{LEAD_URL}/{lead.pk}",
        {
            "city": "Oakland",
            "lead_line_items": [{"sys_id": item.pk, "quantity": 5}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    lead.refresh_from_db()
    item.refresh_from_db()
    # The field update is one checkpoint; the line item's change then bumps the lead's count
    # with a QuerySet.update(), which changes no audited field of the lead.
    assert changes(lead.pk, checkpoint=2) == {"city": ("Paris", "Oakland")}
    assert lead.sys_mod_count == 3
    assert changes(item.pk, checkpoint=item.sys_mod_count) == {"quantity": ("2", "5")}
    assert users(lead.pk) == users(item.pk) == {lead_client.user.user_name}


def test_a_rejected_lead_patch_leaves_no_audit_rows(lead_client, catalogue):
    lead = Lead.objects.create(last_name="Wilson", email="a@example.com")
    before = SysAudit.objects.filter(documentkey=lead.pk).count()
    response = lead_client.patch(f"{LEAD_URL}/{lead.pk}", {"email": "not an email", "city": "X"}, format="json")
    assert response.status_code == 400
    assert SysAudit.objects.filter(documentkey=lead.pk).count() == before


def test_directory_post_put_delete(cc_admin_client):
    response = cc_admin_client.post(
        "/api/v2/contacts",
        json.dumps({"name": "Desk", "type": "Custom", "phoneNumber": "555"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    custom = CustomContact.objects.get()
    assert changes(custom.pk, checkpoint=0) == {"name": ("", "Desk"), "phone_number": ("", "555")}

    response = cc_admin_client.put(
        f"/api/v2/contacts/{custom.pk}", json.dumps({"phoneNumber": "556"}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert changes(custom.pk, checkpoint=1) == {"phone_number": ("555", "556")}

    response = cc_admin_client.delete(f"/api/v2/contacts/{custom.pk}")
    assert response.status_code in (200, 204), response.content
    assert changes(custom.pk, checkpoint=1)["DELETED"] == ("Desk", "")
    assert users(custom.pk) == {cc_admin_client.user.user_name}


# --- The admin, the imports, a management command ----------------------------------------------


def test_admin_change_is_audited_with_the_staff_user(make_user):
    staff = make_user(user_name="staff.auditor", is_staff=True, is_superuser=True)
    account = Account.objects.create(name="Acme", city="Orlando")
    browser = Client()
    browser.force_login(staff)
    response = browser.post(
        reverse("admin:contacts_account_change", args=[account.pk]),
        {"name": "Acme Corp", "city": "Orlando", "customer": "on", "market_cap": "0", "profits": "0",
         "revenue_per_year": "0"},  # the form as shown: the amounts' defaults filled in
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    assert changes(account.pk, checkpoint=1) == {"name": ("Acme", "Acme Corp")}
    row = rows(account.pk, record_checkpoint=1)[0]
    assert (row.user, row.reason) == ("staff.auditor", "admin")


FLOAT_ZERO = {"postgresql": "0", "sqlite": "0.0"}


def test_import_records_bulk_path(tmp_path, make_user):
    make_user(user_name="data.engineer")
    path = tmp_path / "accounts.csv"
    path.write_text("name,city,customer\nAcme 1,Oslo,true\nAcme 2,,false\n", encoding="utf-8")
    call_command(
        "import_records",
        "customer_account",
        str(path),
        "--as-user",
        "data.engineer",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    first, second = Account.objects.order_by("name")
    assert changes(first.pk) == {
        "name": ("", "Acme 1"),
        "city": ("", "Oslo"),
        "customer": ("", "true"),
        "number": ("", first.number),
        # the defaults of the Account API's fields
        **dict.fromkeys(("partner", "vendor", "manufacturer", "primary", "publicly_traded"), ("", "false")),
        # a float as each database writes it as text
        **dict.fromkeys(("market_cap", "profits", "revenue_per_year"), ("", FLOAT_ZERO[connection.vendor])),
    }
    assert changes(second.pk)["customer"] == ("", "false")
    assert "city" not in changes(second.pk)
    assert {(row.user, row.reason) for row in rows(first.pk)} == {("data.engineer", "import_records accounts.csv")}


def test_import_records_that_fails_leaves_no_audit_rows(tmp_path):
    before = SysAudit.objects.count()
    path = tmp_path / "accounts.csv"
    path.write_text("name,customer\nGood,true\nBad,maybe\n", encoding="utf-8")
    with pytest.raises(Exception, match="nothing was written"):
        call_command("import_records", "customer_account", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert SysAudit.objects.count() == before


def test_import_contacts(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("user_name,first_name,vip\nann.csv,Ann,true\n", encoding="utf-8")
    call_command("import_contacts", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    contact = Contact.objects.get(user_name="ann.csv")
    got = changes(contact.pk)
    assert got["user_name"] == ("", "ann.csv") and got["vip"] == ("", "true")
    assert {(row.tablename, row.user, row.reason) for row in rows(contact.pk)} == {
        ("customer_contact", "system", "import_contacts contacts.csv")
    }


def test_a_management_command_is_audited_as_the_system():
    call_command("createsuperuser", interactive=False, user_name="root.cmd", stdout=io.StringIO())
    user = get_user_model().objects.get(user_name="root.cmd")
    assert changes(user.pk)["user_name"] == ("", "root.cmd")
    assert {(row.tablename, row.user) for row in rows(user.pk)} == {("sys_user", "system")}


@pytest.mark.django_db(transaction=True)
def test_writes_outside_a_transaction_carry_the_actor_and_it_does_not_linger(make_user):
    """Autocommit writes: on PostgreSQL the actor is set inside a transaction wrapped around the
    write, so a later statement of the same pooled connection never sees a stale actor."""
    writer = make_user(user_name="autocommit.writer")
    with acting_as(writer):
        lead = Lead.objects.create(last_name="Solo")
        Lead.objects.filter(pk=lead.pk).update(city="Lima")
    assert users(lead.pk) == {"autocommit.writer"}
    assert changes(lead.pk)["city"] == ("", "Lima")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('csm.actor', true)")
            assert cursor.fetchone()[0] in (None, "")


def test_the_audit_cannot_be_loaded_by_an_import(tmp_path):
    path = tmp_path / "audit.csv"
    path.write_text("tablename,documentkey,fieldname\nx,y,z\n", encoding="utf-8")
    with pytest.raises(Exception, match="read-only"):
        call_command("import_records", "sys_audit", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not SysAudit.objects.filter(tablename="x").exists()


@pytest.mark.postgres
def test_copy_on_postgresql_is_audited_with_the_synced_actor(make_user):
    """A raw COPY (the bulk importer's fast path) fires the statement triggers too."""
    from csm_project.core.sql.audit import audit_context_sync

    loader = make_user(user_name="copy.loader")
    with acting_as(loader), audit_reason("copy test"):
        audit_context_sync(connection)
        with connection.cursor() as cursor:
            columns = (
                "sys_id",
                "number",
                "last_name",
                "city",
                "stage",
                "do_not_call",
                "do_not_email",
                "do_not_share",
                "sys_created_on",
                "sys_updated_on",
                "sys_created_by",
                "sys_updated_by",
                "sys_mod_count",
                "sys_domain",
                "sys_domain_path",
                "sys_class_name",
            )
            with cursor.cursor.copy(f"COPY {LEAD_TABLE} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write_row(
                    (
                        "c" * 32,
                        "COPY1",
                        "Copied",
                        "Riga",
                        "100_new",
                        False,
                        False,
                        False,
                        "2026-01-01 00:00:00+00",
                        "2026-01-01 00:00:00+00",
                        "copy.loader",
                        "copy.loader",
                        0,
                        "global",
                        "/",
                        LEAD_TABLE,
                    )
                )
    got = changes("c" * 32)
    assert got["last_name"] == ("", "Copied") and got["city"] == ("", "Riga")
    assert {(row.user, row.reason) for row in rows("c" * 32)} == {("copy.loader", "copy test")}


def test_generic_record_writes_are_audited(make_user):
    """The generic create/update/delete every table's API and the Table API write through."""
    from csm_project.core.errors import DomainError
    from csm_project.core.records.services import record_create, record_delete, record_update

    editor = make_user(user_name="table.editor")
    with acting_as(editor):
        account = record_create(table="customer_account", values={"name": "Generic", "city": "Oslo"})
        record_update(instance=account, values={"city": "Bergen", "customer": False})
        before = SysAudit.objects.count()
        with pytest.raises(DomainError):
            record_update(instance=account, values={"name": ""})  # mandatory: refused, nothing written
        assert SysAudit.objects.count() == before
        sys_id = account.pk
        record_delete(instance=account)
    assert changes(sys_id, checkpoint=0)["name"] == ("", "Generic")
    history = {(row.fieldname, row.oldvalue, row.newvalue) for row in rows(sys_id, record_checkpoint=1)}
    assert {("city", "Oslo", "Bergen"), ("customer", "true", "false"), ("city", "Bergen", "")} <= history
    assert changes(sys_id, checkpoint=1, fieldname="DELETED") == {"DELETED": ("Generic", "")}
    assert users(sys_id) == {"table.editor"}


# --- The Table API ---------------------------------------------------------------------------

ACCOUNTS_TABLE = "/api/now/table/customer_account"


def test_table_api_post_patch_delete_and_a_refused_write(client_for):
    writer = client_for("csm_ws_integration")
    response = writer.post(ACCOUNTS_TABLE, {"name": "Tabled", "city": "Oslo"}, format="json")
    assert response.status_code == 201, response.content
    sys_id = response.json()["result"]["sys_id"]
    assert changes(sys_id, checkpoint=0)["city"] == ("", "Oslo")

    assert writer.patch(f"{ACCOUNTS_TABLE}/{sys_id}", {"city": "Bergen"}, format="json").status_code == 200
    assert changes(sys_id, checkpoint=1) == {"city": ("Oslo", "Bergen")}

    before = SysAudit.objects.filter(documentkey=sys_id).count()
    refused = writer.patch(f"{ACCOUNTS_TABLE}/{sys_id}", {"city": "Lima", "name": ""}, format="json")
    assert refused.status_code == 400
    assert SysAudit.objects.filter(documentkey=sys_id).count() == before

    assert writer.delete(f"{ACCOUNTS_TABLE}/{sys_id}").status_code == 204
    assert changes(sys_id, fieldname="DELETED") == {"DELETED": ("Tabled", "")}
    assert users(sys_id) == {writer.user.user_name}


def test_table_api_serves_the_audit_read_only_to_admins(client_for):
    account = Account.objects.create(name="Read me")
    admin_client = client_for("admin")
    listed = admin_client.get("/api/now/table/sys_audit", {"sysparm_query": f"documentkey={account.pk}"})
    assert listed.status_code == 200
    assert {row["fieldname"] for row in listed.json()["result"]} >= {"name", "number"}
    row = SysAudit.objects.filter(documentkey=account.pk).first()
    assert (
        admin_client.patch(f"/api/now/table/sys_audit/{row.pk}", {"newvalue": "forged"}, format="json").status_code
        >= 400
    )
    assert admin_client.delete(f"/api/now/table/sys_audit/{row.pk}").status_code >= 400
    assert admin_client.post("/api/now/table/sys_audit", {"fieldname": "x"}, format="json").status_code >= 400
    assert SysAudit.objects.get(pk=row.pk).newvalue == row.newvalue
    assert client_for("csm_ws_integration").get("/api/now/table/sys_audit").status_code == 403


# --- Grants of staff, superuser and roles -----------------------------------------------------


def test_granting_staff_superuser_and_roles_in_the_admin_is_audited(make_user):
    from csm_project.core.models import Role
    from csm_project.core.sql.audit import GRANT_TABLE, grant_key

    admin = make_user(user_name="granting.admin", is_staff=True, is_superuser=True)
    clerk = make_user(user_name="future.staff")
    role = Role.objects.get(name="csm_ws_integration")
    browser = Client()
    browser.force_login(admin)

    response = browser.post(
        reverse("admin:core_user_change", args=[clerk.pk]),
        {"user_name": clerk.user_name, "active": "on", "is_staff": "on", "is_superuser": "on", "roles": [role.pk]},
    )

    assert response.status_code == 302, response.content[:3000]
    made = changes(clerk.pk, checkpoint=1)
    assert (made["is_staff"], made["is_superuser"]) == (("false", "true"), ("false", "true"))
    key = grant_key(clerk.pk, role.pk)
    granted = rows(key)
    assert {(row.tablename, row.fieldname, row.oldvalue, row.newvalue) for row in granted} == {
        (GRANT_TABLE, "user", "", clerk.pk),
        (GRANT_TABLE, "role", "", role.pk),
    }
    assert {(row.user, row.reason) for row in granted} == {("granting.admin", "admin")}


def test_revoking_a_role_is_audited_with_the_role_named(make_user):
    from csm_project.core.models import Role
    from csm_project.core.sql.audit import GRANT_TABLE, grant_key

    agent = make_user("interaction_agent", user_name="revoked.agent")
    role = Role.objects.get(name="interaction_agent")
    call_command("grant_role", "revoked.agent", "interaction_agent", "--revoke", stdout=io.StringIO())

    revoked = {row.fieldname: (row.oldvalue, row.newvalue) for row in rows(grant_key(agent.pk, role.pk), newvalue="")}
    assert revoked == {"user": (agent.pk, ""), "role": (role.pk, ""), "DELETED": ("interaction_agent", "")}
    assert {row.tablename for row in rows(grant_key(agent.pk, role.pk))} == {GRANT_TABLE}
    assert users(grant_key(agent.pk, role.pk)) == {"system"}  # granted by the fixture, revoked by the command


# --- Migrations beside live writers --------------------------------------------------------------


def schema_state() -> object:
    """What any change to the triggers (or the row counters' seeding) would change: SQLite's schema
    version; on PostgreSQL the row versions of the triggers, their functions and the counters."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA schema_version")
            return cursor.fetchone()
        cursor.execute(
            "SELECT t.tgname, t.oid, t.xmin::text, p.oid, p.xmin::text FROM pg_trigger t "
            "JOIN pg_proc p ON p.oid = t.tgfoid WHERE t.tgname LIKE 'csm\\_%%' ORDER BY t.tgname"
        )
        triggers = cursor.fetchall()
        cursor.execute("SELECT table_name, delta, xmin::text FROM sys_row_count ORDER BY 1, 2, 3")
        return triggers, cursor.fetchall()


def test_a_migrate_with_nothing_to_apply_touches_no_trigger():
    before = schema_state()
    call_command("migrate", verbosity=0)
    assert schema_state() == before
    assert audit_triggers_installed(connection) >= 3 * len(audited_tables()) - 3


@pytest.mark.django_db(transaction=True)
def test_while_a_migration_runs_every_committed_table_keeps_its_audit_triggers():
    """The test app's migration 0002 adds a column to eq_test_account, 0003 removes it; 0003 is
    held open. By then 0002 has committed with that table's triggers rebuilt, and every other
    table never lost its own: a write beside the migration (on PostgreSQL, where writers do not
    wait for it) is audited."""
    import threading

    from csm_project.core.sql.audit import existing_triggers
    from tests.eqtestapp import migration_hold

    call_command("migrate", "eqtestapp", "0001", verbosity=0)
    failures: list[BaseException] = []

    def migrate_forward() -> None:
        try:
            call_command("migrate", "eqtestapp", verbosity=0)
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    migration_hold.armed.set()
    migrating = threading.Thread(target=migrate_forward)
    migrating.start()
    try:
        assert migration_hold.reached.wait(timeout=300), failures
        held = {name for name, table in existing_triggers(connection)}
        assert {"csm_audit_eq_test_account_ins", "csm_audit_customer_account_ins"} <= held
        assert len(held) >= 3 * len(audited_tables()) - 3
        if connection.vendor == "postgresql":
            account = Account.objects.create(name="Written beside a migration")
            assert changes(account.pk)["name"] == ("", "Written beside a migration")
    finally:
        migration_hold.release.set()
        migrating.join(timeout=300)
        migration_hold.armed.clear()
        migration_hold.reached.clear()
        migration_hold.release.clear()
    assert not failures
    from csm_project.core.sql.audit import audit_triggers_install

    assert audit_triggers_install(connection) == []  # every trigger as the models want it


def test_a_login_writes_no_audit_row_for_last_login(make_user):
    """``sys_audit_exclude``: the field every login changes is no history anyone asks for."""
    from csm_project.core.models import User
    from tests.factories import TEST_PASSWORD

    staff = make_user(user_name="logging.in", is_staff=True)
    browser = Client()
    response = browser.post("/admin/login/", {"username": "logging.in", "password": TEST_PASSWORD, "next": "/admin/"})

    assert response.status_code == 302, response.content[:2000]
    assert User.objects.get(pk=staff.pk).last_login is not None
    assert not SysAudit.objects.filter(documentkey=staff.pk, fieldname="last_login").exists()

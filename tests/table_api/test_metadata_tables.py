"""The metadata tables (docs/table-api.md, "Metadata tables"): sys_db_object, sys_dictionary,
sys_glide_object and sys_script derived from the code, sys_user_has_role over the role grants,
sys_user_grmember as records; served by the Table and Aggregate APIs like any table, written
by nobody where they describe code."""

import uuid

import pytest

from csm_project.core.access.roles import user_grant_roles, user_revoke_roles
from csm_project.core.errors import ProtectedRecord
from csm_project.core.metadata.catalogue import NAMESPACE, catalogue_rows, catalogue_sync
from csm_project.core.models import DictionaryEntry, Role, TableObject
from csm_project.core.records.services import record_create, record_delete, record_update
from csm_project.core.sql.audit import grant_key
from csm_project.registry import all_tables
from leads.models import GroupMember, UserGroup

pytestmark = pytest.mark.django_db

DESCRIBING = ("sys_db_object", "sys_dictionary", "sys_glide_object", "sys_script")
TABLE = "/api/now/table/"


def stable_id(table: str, key: str) -> str:
    return uuid.uuid5(NAMESPACE, f"{table}:{key}").hex


def result(response):
    assert response.status_code == 200, response.content[:300]
    return response.json()["result"]


# --- sys_db_object ----------------------------------------------------------------------------


def test_sys_db_object_lists_every_registry_table_with_stable_sys_ids(client_for):
    rows = result(client_for("admin").get(TABLE + "sys_db_object", {"sysparm_fields": "sys_id,name"}))

    assert {row["name"] for row in rows} == set(all_tables())
    assert all(row["sys_id"] == stable_id("sys_db_object", row["name"]) for row in rows)


def test_a_child_table_names_its_super_class_and_the_parent_is_extendable(client_for):
    admin = client_for("admin")
    contact = result(admin.get(TABLE + "sys_db_object", {"sysparm_query": "name=customer_contact"}))[0]
    user = result(admin.get(TABLE + "sys_db_object/" + stable_id("sys_db_object", "sys_user")))

    assert contact["super_class"] == {
        "link": f"http://testserver/api/now/table/sys_db_object/{user['sys_id']}",
        "value": user["sys_id"],
    }
    assert contact["label"] == "Contact" and contact["is_extendable"] == "false"
    assert user["is_extendable"] == "true" and user["super_class"] == ""
    shown = result(
        admin.get(
            TABLE + "sys_db_object",
            {
                "sysparm_query": "super_class.name=sys_user",
                "sysparm_display_value": "true",
                "sysparm_fields": "name,super_class",
            },
        )
    )
    assert shown == [
        {
            "name": "customer_contact",
            "super_class": {"display_value": "sys_user", "link": contact["super_class"]["link"]},
        }
    ]


# --- sys_dictionary ---------------------------------------------------------------------------


def test_a_reference_field_names_its_type_and_target_by_name(client_for):
    rows = result(
        client_for("csm_ws_integration").get(
            TABLE + "sys_dictionary",
            {"sysparm_query": "name=customer_contact^element=account", "sysparm_display_value": "all"},
        )
    )

    assert len(rows) == 1
    row = rows[0]
    assert row["sys_id"] == {"display_value": stable_id("sys_dictionary", "customer_contact.account")} | {
        "value": stable_id("sys_dictionary", "customer_contact.account")
    }
    assert row["internal_type"]["value"] == "reference" and row["internal_type"]["display_value"] == "reference"
    assert row["reference"]["value"] == "customer_account"
    assert row["reference"]["link"] == "http://testserver/api/now/table/sys_db_object/customer_account"
    client = client_for("csm_ws_integration")
    target = result(client.get(row["reference"]["link"].removeprefix("http://testserver")))
    kind = result(client.get(row["internal_type"]["link"].removeprefix("http://testserver")))
    assert target["sys_id"] == stable_id("sys_db_object", "customer_account") and kind["label"] == "Reference"
    assert client.get("/api/now/table/sys_db_object/no_such_table").status_code == 404
    assert client.get("/api/now/table/customer_account/customer_account").status_code == 404  # not a describing table
    assert row["mandatory"]["value"] == "false" and row["read_only"]["value"] == "false"
    assert row["column_label"]["value"] == "Account"


def test_inherited_fields_are_rows_of_the_super_class(client_for):
    admin = client_for("admin")
    own = {
        row["element"]
        for row in result(admin.get(TABLE + "sys_dictionary", {"sysparm_query": "name=customer_contact"}))
    }
    parent = {row["element"] for row in result(admin.get(TABLE + "sys_dictionary", {"sysparm_query": "name=sys_user"}))}

    assert "account" in own and "email" not in own and "sys_id" not in own
    assert {"email", "user_name", "sys_id", ""} <= parent  # "" is the table's own (collection) row
    assert own - {""} <= set(all_tables()["customer_contact"].fields)
    assert set(all_tables()["customer_contact"].fields) <= (own | parent)


def test_system_mandatory_choice_and_default_facts(client_for):
    admin = client_for("admin")

    def row(table, element):
        found = result(admin.get(TABLE + "sys_dictionary", {"sysparm_query": f"name={table}^element={element}"}))
        assert len(found) == 1, (table, element)
        return found[0]

    sys_id = row("sys_user", "sys_id")
    assert (sys_id["primary"], sys_id["read_only"], sys_id["unique"], sys_id["column_label"]) == (
        "true",
        "true",
        "true",
        "Sys ID",
    )
    last_name = row("sn_lead_mgmt_core_lead", "last_name")
    assert last_name["mandatory"] == "true" and last_name["max_length"] == "100"
    stage = row("sn_lead_mgmt_core_lead", "stage")
    assert stage["internal_type"]["value"] == "string" and stage["choice"] in ("1", "3")
    active = row("sys_user", "active")
    assert (
        active["internal_type"]["value"] == "boolean" and active["default_value"] == "true" and active["choice"] == "0"
    )
    number = row("sn_lead_mgmt_core_lead", "number")
    assert number["read_only"] == "true"
    display = result(admin.get(TABLE + "sys_dictionary", {"sysparm_query": "name=customer_account^display=true"}))
    assert [entry["element"] for entry in display] == ["name"]


def test_queries_paging_and_aggregate_counts_work_on_the_dictionary(client_for):
    admin = client_for("admin")
    query = "name=sys_user^elementSTARTSWITHsys_^ORDERBYelement"
    page = admin.get(
        TABLE + "sys_dictionary", {"sysparm_query": query, "sysparm_limit": 3, "sysparm_fields": "element"}
    )
    rest = admin.get(
        TABLE + "sys_dictionary",
        {"sysparm_query": query, "sysparm_limit": 20, "sysparm_offset": 3, "sysparm_fields": "element"},
    )
    stats = admin.get("/api/now/stats/sys_dictionary", {"sysparm_count": "true", "sysparm_query": query})
    grouped = admin.get(
        "/api/now/stats/sys_dictionary",
        {"sysparm_count": "true", "sysparm_query": "name=sys_user", "sysparm_group_by": "internal_type"},
    )

    elements = [row["element"] for row in result(page) + result(rest)]
    assert elements == sorted(
        DictionaryEntry.objects.filter(name="sys_user", element__startswith="sys_").values_list("element", flat=True)
    )
    assert len(elements) == 10 and page["X-Total-Count"] == "10" and 'rel="next"' in page["Link"]
    assert stats.json()["result"]["stats"]["count"] == "10"
    counts = {group["groupby_fields"][0]["value"]: group["stats"]["count"] for group in grouped.json()["result"]}
    assert counts["glide_date_time"] == str(
        DictionaryEntry.objects.filter(name="sys_user", internal_type="glide_date_time").count()
    )
    assert counts["collection"] == "1"


def test_every_internal_type_is_a_glide_object(client_for):
    admin = client_for("admin")
    types = {row["name"] for row in result(admin.get(TABLE + "sys_glide_object"))}
    used = set(DictionaryEntry.objects.values_list("internal_type", flat=True))

    assert used <= types and {"string", "reference", "glide_date_time", "collection"} <= types
    labels = result(
        admin.get(TABLE + "sys_dictionary", {"sysparm_query": "internal_type.label=Date/Time^name=sys_user"})
    )
    assert {row["element"] for row in labels} >= {"sys_created_on", "last_login"}


# --- sys_script -------------------------------------------------------------------------------


def test_sys_script_lists_the_registered_table_rules(client_for):
    rows = result(client_for("admin").get(TABLE + "sys_script", {"sysparm_query": "collection=sn_lead_mgmt_core_lead"}))

    assert [(row["name"], row["when"], row["script"], row["active"]) for row in rows] == [
        ("LeadRules clean", "before", "leads.services.LeadRules.clean", "true")
    ]
    assert rows[0]["sys_id"] == stable_id("sys_script", "sn_lead_mgmt_core_lead.clean")
    assert rows[0]["description"]


# --- read-only and rights ---------------------------------------------------------------------


@pytest.mark.parametrize("table", [*DESCRIBING, "sys_user_has_role"])
def test_nobody_writes_the_describing_tables_not_even_admin(client_for, table):
    superuser = client_for(is_superuser=True)
    some = DictionaryEntry.objects.first().pk if table == "sys_dictionary" else "0" * 32
    answers = [
        superuser.post(TABLE + table, {"name": "x"}, format="json"),
        superuser.put(f"{TABLE}{table}/{some}", {"name": "x"}, format="json"),
        superuser.patch(f"{TABLE}{table}/{some}", {"name": "x"}, format="json"),
        superuser.delete(f"{TABLE}{table}/{some}"),
    ]

    for response, word in zip(answers, ("create", "update", "update", "delete"), strict=True):
        assert response.status_code == 403
        assert response.json() == {
            "error": {"message": f"Insufficient rights to {word} records", "detail": None},
            "status": "failure",
        }
    assert DictionaryEntry.objects.filter(name="x").count() == 0


def test_the_record_engine_refuses_the_describing_tables_whatever_the_door():
    entry = DictionaryEntry.objects.get(name="customer_account", element="name")

    with pytest.raises(ProtectedRecord, match="read-only"):
        record_create(table="sys_dictionary", values={"name": "customer_account", "element": "extra"})
    with pytest.raises(ProtectedRecord):
        record_update(instance=entry, values={"column_label": "Changed"})
    with pytest.raises(ProtectedRecord):
        record_delete(instance=entry)
    entry.refresh_from_db()
    assert entry.column_label == "Name"


def test_api_roles_read_the_describing_tables_and_only_admin_reads_grants(client_for):
    for role in (
        "csm_ws_integration",
        "interaction_agent",
        "sn_lead_mgmt_core.lead_integrator",
        "contact_center_agent",
    ):
        reader = client_for(role)
        for table in DESCRIBING:
            assert reader.get(TABLE + table, {"sysparm_limit": 1}).status_code == 200, (role, table)
        assert reader.get(TABLE + "sys_user_has_role").status_code == 403
        assert reader.get(TABLE + "sys_user_grmember").status_code == 403
    assert client_for().get(TABLE + "sys_dictionary").status_code == 403  # no role, no catalogue


# --- keeping in step with the code ------------------------------------------------------------


def test_the_catalogue_is_rewritten_where_it_drifted_and_left_alone_where_it_did_not():
    assert set(catalogue_sync().values()) == {0}  # migrate left it as the code says

    DictionaryEntry.objects.filter(name="customer_account", element="name").update(mandatory=False, column_label="X")
    DictionaryEntry.objects.create(name="gone_table", element="gone", column_label="Gone", internal_type_id="string")
    pointing = DictionaryEntry.objects.filter(reference="sys_user").count()
    TableObject.objects.filter(name="sys_user").delete()  # its references are emptied with it

    changed = catalogue_sync()

    assert pointing > 0
    assert changed["sys_dictionary"] == 2 + pointing and changed["sys_db_object"] == 2  # sys_user, customer_contact
    assert DictionaryEntry.objects.filter(reference="sys_user").count() == pointing
    entry = DictionaryEntry.objects.get(name="customer_account", element="name")
    assert (entry.mandatory, entry.column_label) == (True, "Name")
    assert not DictionaryEntry.objects.filter(name="gone_table").exists()
    assert TableObject.objects.get(name="customer_contact").super_class.name == "sys_user"
    wanted = catalogue_rows()
    assert sum(len(rows) for rows in wanted.values()) == sum(model.objects.count() for model in wanted)


# --- sys_user_has_role ------------------------------------------------------------------------


def test_grants_are_rows_keyed_like_their_audit_history(client_for, make_user):
    admin = client_for("admin")
    agent = make_user()
    role = Role.objects.get(name="interaction_agent")
    user_grant_roles(user=agent, roles=["interaction_agent"])

    rows = result(
        admin.get(TABLE + "sys_user_has_role", {"sysparm_query": f"user={agent.pk}", "sysparm_display_value": "all"})
    )

    assert len(rows) == 1
    row = rows[0]
    key = grant_key(agent.pk, role.pk)
    assert row["sys_id"]["value"] == key
    assert row["role"] == {
        "display_value": "interaction_agent",
        "link": f"http://testserver/api/now/table/sys_user_role/{role.pk}",
        "value": role.pk,
    }
    assert (
        row["user"]["value"] == agent.pk and row["state"]["value"] == "active" and row["inherited"]["value"] == "false"
    )
    assert row["sys_created_by"]["value"] == "system"  # granted outside a request: the system's audit row
    assert result(admin.get(f"{TABLE}sys_user_has_role/{key}"))["sys_id"] == key
    by_name = result(
        admin.get(TABLE + "sys_user_has_role", {"sysparm_query": f"role.name=interaction_agent^user={agent.pk}"})
    )
    assert [found["sys_id"] for found in by_name] == [key]
    history = result(
        admin.get(TABLE + "sys_audit", {"sysparm_query": f"documentkey={key}", "sysparm_fields": "fieldname"})
    )
    assert {entry["fieldname"] for entry in history} == {"user", "role"}

    user_revoke_roles(user=agent, roles=["interaction_agent"])
    assert result(admin.get(TABLE + "sys_user_has_role", {"sysparm_query": f"user={agent.pk}"})) == []
    assert admin.get(f"{TABLE}sys_user_has_role/{key}").status_code == 404


# --- sys_user_grmember ------------------------------------------------------------------------


def test_group_members_are_records_admins_keep(client_for, make_user):
    admin = client_for("admin")
    member = make_user()
    group = UserGroup.objects.create(name="Tier 2")

    created = admin.post(TABLE + "sys_user_grmember", {"user": member.pk, "group": group.pk}, format="json")
    again = admin.post(TABLE + "sys_user_grmember", {"user": member.pk, "group": group.pk}, format="json")
    listed = admin.get(
        TABLE + "sys_user_grmember", {"sysparm_query": "group.name=Tier 2", "sysparm_display_value": "true"}
    )

    assert created.status_code == 201, created.content
    assert again.status_code == 400 and "already a member" in again.content.decode()
    assert GroupMember.objects.filter(user=member, group=group).count() == 1
    assert [row["group"]["display_value"] for row in result(listed)] == ["Tier 2"]
    assert (
        client_for("sn_lead_mgmt_core.lead_integrator")
        .post(TABLE + "sys_user_grmember", {"user": member.pk, "group": group.pk}, format="json")
        .status_code
        == 403
    )
    gone = admin.delete(f"{TABLE}sys_user_grmember/{created.json()['result']['sys_id']}")
    assert gone.status_code == 204 and not GroupMember.objects.exists()


def test_describing_records_take_no_attachments(client_for):
    entry = DictionaryEntry.objects.get(name="customer_account", element="name")

    response = client_for(is_superuser=True).post(
        f"/api/now/attachment/file?table_name=sys_dictionary&table_sys_id={entry.pk}&file_name=a.txt",
        data=b"hello",
        content_type="text/plain",
    )

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Records of sys_dictionary cannot have attachments"


def test_a_batch_item_writing_the_dictionary_is_refused_and_one_reading_it_answered(client_for):
    from tests.batch_api.test_batch import JSON, answered, body_of, item

    entry = DictionaryEntry.objects.get(name="customer_account", element="name")
    response = client_for(is_superuser=True).post(
        "/api/now/v1/batch",
        {
            "batch_request_id": "meta",
            "rest_requests": [
                item("put", "PUT", f"/api/now/table/sys_dictionary/{entry.pk}", {"column_label": "X"}, JSON),
                item("get", "GET", "/api/now/table/sys_glide_object/reference", headers=JSON),
            ],
        },
        format="json",
    )

    items = answered(response)
    assert items["put"]["status_code"] == 403
    assert body_of(items["put"])["error"]["message"] == "Insufficient rights to update records"
    assert items["get"]["status_code"] == 200 and body_of(items["get"])["result"]["label"] == "Reference"
    entry.refresh_from_db()
    assert entry.column_label == "Name"

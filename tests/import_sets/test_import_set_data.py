"""Staging tables and transform maps as data: the admin's checks on them, the admin pages, and
the rules the transform keeps (maps in order, coalesce values repeated in one request, the
caller's time zone, field rights)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from contacts.models import Account, Contact
from csm_project.core.access.role_names import IMPORT_TRANSFORMER
from csm_project.core.models import Role, TableAccess
from csm_project.import_sets.models import FieldMap, ImportSet, StagingTable, TransformMap


@pytest.fixture
def accounts_staging(db):
    staging = StagingTable.objects.create(name="u_accounts")
    transform = TransformMap.objects.create(staging_table=staging, name="Accounts", target_table="customer_account")
    FieldMap.objects.create(transform_map=transform, source_field="u_name", target_field="name", coalesce=True)
    FieldMap.objects.create(transform_map=transform, source_field="u_city", target_field="city")
    rule = TableAccess.objects.create(table="u_accounts")
    rule.write_roles.add(Role.objects.get(name=IMPORT_TRANSFORMER))
    return staging


def test_a_map_has_one_coalesce_field(accounts_staging):
    transform = accounts_staging.transform_maps.get()
    second = FieldMap(transform_map=transform, source_field="u_phone", target_field="phone", coalesce=True)

    with pytest.raises(ValidationError) as refused:
        second.full_clean()
    assert "coalesce" in refused.value.message_dict


def test_maps_and_staging_names_are_checked(accounts_staging):
    with pytest.raises(ValidationError) as bad_target:
        TransformMap(staging_table=accounts_staging, name="X", target_table="no_such_table").full_clean()
    assert "target_table" in bad_target.value.message_dict
    with pytest.raises(ValidationError) as bad_field:
        transform = accounts_staging.transform_maps.get()
        FieldMap(transform_map=transform, source_field="a", target_field="nope").full_clean()
    assert "target_field" in bad_field.value.message_dict
    with pytest.raises(ValidationError):
        StagingTable(name="customer_account").full_clean()
    with pytest.raises(ValidationError):
        StagingTable(name="Bad Name").full_clean()


def test_rows_sharing_a_coalesce_value_insert_once_then_update(accounts_staging, client_for):
    client = client_for(IMPORT_TRANSFORMER)

    response = client.post(
        "/api/now/import/u_accounts/insertMultiple",
        {"records": [{"u_name": "Dup", "u_city": "Oslo"}, {"u_name": "Dup", "u_city": "Lima"},
                     {"u_name": "Dup", "u_city": "Lima"}]},
        format="json",
    )  # fmt: skip

    assert [result["status"] for result in response.json()["result"]] == ["inserted", "updated", "ignored"]
    [account] = Account.objects.filter(name="Dup")
    assert account.city == "Lima"
    assert {result["sys_id"] for result in response.json()["result"]} == {account.sys_id}


def test_staged_date_times_are_read_in_the_callers_time_zone(db, client_for):
    staging = StagingTable.objects.create(name="u_positions")
    transform = TransformMap.objects.create(staging_table=staging, name="Positions", target_table="customer_contact")
    FieldMap.objects.create(transform_map=transform, source_field="u_last", target_field="last_name")
    FieldMap.objects.create(transform_map=transform, source_field="u_seen", target_field="last_position_update")
    TableAccess.objects.create(table="u_positions").write_roles.add(Role.objects.get(name=IMPORT_TRANSFORMER))
    client = client_for(IMPORT_TRANSFORMER, time_zone="Asia/Tokyo")

    response = client.post("/api/now/import/u_positions", {"u_last": "Sato", "u_seen": "2026-03-01 09:00:00"},
                           format="json")  # fmt: skip

    assert response.json()["result"][0]["status"] == "inserted", response.content
    contact = Contact.objects.get(last_name="Sato")
    assert contact.last_position_update.isoformat() == "2026-03-01T00:00:00+00:00"


def test_the_admin_lists_staging_tables_maps_and_import_sets(accounts_staging, make_user, client_for):
    client_for(IMPORT_TRANSFORMER).post("/api/now/import/u_accounts", {"u_name": "Shown"}, format="json")
    admin = make_user(user_name="import.admin", is_staff=True, is_superuser=True)
    browser = Client()
    browser.force_login(admin)
    import_set = ImportSet.objects.get()

    for url in ("/admin/import_sets/stagingtable/", f"/admin/import_sets/stagingtable/{accounts_staging.pk}/change/",
                "/admin/import_sets/transformmap/", "/admin/import_sets/importset/",
                f"/admin/import_sets/importset/{import_set.pk}/change/"):  # fmt: skip
        assert browser.get(url).status_code == 200, url
    page = browser.get(f"/admin/import_sets/importset/{import_set.pk}/change/").content.decode()
    assert "Shown" in page and "inserted" in page


def test_staff_roles_see_import_sets_and_only_administrators_edit_maps(accounts_staging, make_user):
    from django.contrib.auth.models import Group

    from csm_project.core.access.staff_roles import ADMINISTRATOR, AGENT

    agent = make_user(user_name="staff.agent", is_staff=True)
    agent.groups.add(Group.objects.get(name=AGENT))
    administrator = make_user(user_name="staff.administrator", is_staff=True)
    administrator.groups.add(Group.objects.get(name=ADMINISTRATOR))

    assert agent.has_perm("import_sets.view_importset")
    assert not agent.has_perm("import_sets.change_transformmap")
    assert administrator.has_perm("import_sets.change_transformmap")
    assert administrator.has_perm("import_sets.add_fieldmap")
    assert not administrator.has_perm("import_sets.delete_importset")

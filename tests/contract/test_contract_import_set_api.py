"""The vendor's Import Set API page, replayed: its three cURL examples (POST one row to
``imp_user``, GET the row back, insertMultiple into ``u_employee_import_set_table``), against
staging tables and transform maps set up as the examples imply, plus coalescing, errors, rights
and the demo staging table."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from contacts.models import Account, Contact
from csm_project.core.access.role_names import IMPORT_TRANSFORMER
from csm_project.core.models import Role, SysAudit, TableAccess, User
from csm_project.import_sets.models import FieldMap, ImportSet, ImportSetRow, StagingTable, TransformMap

# The vendor's POST example body, as its cURL sends it (single quotes made JSON).
USER_ROW = {"first_name": "John", "last_name": "Public", "user_id": "john.public", "email": "john.public@company.com"}
EMPLOYEES = {
    "records": [
        {"Address": "Hollywood", "Name": "Tom", "ID": "123"},
        {"Address": "Vine", "Name": "Irene", "ID": "456"},
    ]
}
RESULT_KEYS = {"transform_map", "table", "display_name", "display_value", "record_link", "status", "sys_id"}


def staging(name: str, maps) -> StagingTable:
    table = StagingTable.objects.create(name=name)
    for order, (map_name, target, entries) in enumerate(maps):
        transform = TransformMap.objects.create(staging_table=table, name=map_name, target_table=target, order=order)
        for source, field, coalesce in entries:
            FieldMap.objects.create(transform_map=transform, source_field=source, target_field=field, coalesce=coalesce)
    rule = TableAccess.objects.create(table=name)
    role = Role.objects.get(name=IMPORT_TRANSFORMER)
    rule.read_roles.add(role)
    rule.write_roles.add(role)
    return table


@pytest.fixture
def imp_user(db):
    return staging(
        "imp_user",
        [("User", "sys_user", [("first_name", "first_name", False), ("last_name", "last_name", False),
                               ("user_id", "user_name", True), ("email", "email", False)])],
    )  # fmt: skip


@pytest.fixture
def employees(db):
    return staging(
        "u_employee_import_set_table",
        [("Employee", "customer_contact", [("ID", "employee_number", True), ("Name", "last_name", False),
                                            ("Address", "street", False)])],
    )  # fmt: skip


@pytest.fixture
def transformer(client_for):
    return client_for(IMPORT_TRANSFORMER)


def test_post_example_inserts_the_user_and_answers_the_documented_shape(imp_user, transformer):
    response = transformer.post("/api/now/import/imp_user", USER_ROW, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"import_set", "staging_table", "result"}
    assert body["staging_table"] == "imp_user"
    assert body["import_set"].startswith("ISET")
    [result] = body["result"]
    assert set(result) == RESULT_KEYS
    user = User.objects.get(user_name="john.public")
    assert result == {
        "transform_map": "User",
        "table": "sys_user",
        "display_name": "name",
        "display_value": "John Public",
        "record_link": f"http://testserver/api/now/table/sys_user/{user.sys_id}",
        "status": "inserted",
        "sys_id": user.sys_id,
    }
    assert user.email == "john.public@company.com"
    assert user.sys_created_by == transformer.user.user_name
    assert SysAudit.objects.filter(documentkey=user.sys_id, fieldname="email").exists()  # audited as any write
    row = ImportSetRow.objects.get()
    assert row.values == USER_ROW and row.import_set.number == body["import_set"]


def test_get_example_answers_the_rows_result(imp_user, transformer):
    posted = transformer.post("/api/now/import/imp_user", USER_ROW, format="json").json()
    row = ImportSetRow.objects.get()

    response = transformer.get(f"/api/now/import/imp_user/{row.sys_id}")

    assert response.status_code == 200
    assert response.json() == posted
    assert transformer.get(f"/api/now/v1/import/imp_user/{row.sys_id}").json() == posted


def test_get_of_an_unknown_row_or_of_another_staging_table_is_404(imp_user, employees, transformer):
    transformer.post("/api/now/import/imp_user", USER_ROW, format="json")
    row = ImportSetRow.objects.get()

    assert transformer.get(f"/api/now/import/imp_user/{'0' * 32}").status_code == 404
    assert transformer.get("/api/now/import/imp_user/not-a-sys-id").status_code == 404
    assert transformer.get(f"/api/now/import/u_employee_import_set_table/{row.sys_id}").status_code == 404


def test_insert_multiple_example_answers_the_import_set_ids(employees, transformer):
    response = transformer.post("/api/now/import/u_employee_import_set_table/insertMultiple", EMPLOYEES, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    import_set = ImportSet.objects.get()
    assert body["import_set_id"] == import_set.sys_id
    assert body["multi_import_set_id"] == import_set.multi_import_set_id
    assert len(body["import_set_id"]) == len(body["multi_import_set_id"]) == 32
    assert [result["status"] for result in body["result"]] == ["inserted", "inserted"]
    tom = Contact.objects.get(employee_number="123")
    assert (tom.last_name, tom.street) == ("Tom", "Hollywood")
    assert body["result"][0]["sys_id"] == tom.sys_id
    assert import_set.row_count == 2 and import_set.multiple


def test_coalesce_updates_the_matching_record_then_ignores_an_unchanged_row(employees, transformer):
    url = "/api/now/import/u_employee_import_set_table/insertMultiple"
    transformer.post(url, EMPLOYEES, format="json")

    again = transformer.post(url, {"records": [{"ID": "123", "Name": "Tom", "Address": "Sunset"},
                                               {"ID": "456", "Name": "Irene", "Address": "Vine"},
                                               {"ID": "789", "Name": "New"}]}, format="json")  # fmt: skip

    assert [result["status"] for result in again.json()["result"]] == ["updated", "ignored", "inserted"]
    assert Contact.objects.filter(employee_number__in=["123", "456", "789"]).count() == 3
    assert Contact.objects.get(employee_number="123").street == "Sunset"


def test_a_refused_row_is_an_error_result_and_writes_nothing_of_it(imp_user, transformer):
    response = transformer.post(
        "/api/now/import/imp_user/insertMultiple",
        {"records": [{"user_id": "ok.one", "last_name": "One"}, {"user_id": "x" * 200, "last_name": "Two"}]},
        format="json",
    )

    assert response.status_code == 201
    first, second = response.json()["result"]
    assert first["status"] == "inserted"
    assert second["status"] == "error" and second["sys_id"] == "" and second["record_link"] == ""
    assert "user_name" in second["error_message"]
    assert User.objects.filter(user_name="ok.one").exists()
    assert ImportSetRow.objects.count() == 2  # the refused row is kept, with its error


def test_the_demo_staging_table_loads_accounts_and_their_contacts(db, client_for):
    call_command("seed_demo", "--password", "demo", stdout=StringIO())
    transformer = client_for(IMPORT_TRANSFORMER)
    row = {"u_company": "Vandelay Imports", "u_company_phone": "555-0100", "u_email": "hank@vandelay.example",
           "u_first_name": "Hank", "u_last_name": "Scorpio"}  # fmt: skip

    response = transformer.post("/api/now/import/u_imp_customer", row, format="json")

    assert response.status_code == 201, response.content
    account_result, contact_result = response.json()["result"]
    assert (account_result["table"], account_result["status"]) == ("customer_account", "inserted")
    assert (contact_result["table"], contact_result["status"]) == ("customer_contact", "inserted")
    account = Account.objects.get(name="Vandelay Imports")
    contact = Contact.objects.get(email="hank@vandelay.example")
    assert contact.account_id == account.sys_id and contact.name == "Hank Scorpio"
    second = transformer.post("/api/now/import/u_imp_customer", {**row, "u_phone": "555-0199"}, format="json")
    assert [result["status"] for result in second.json()["result"]] == ["ignored", "updated"]
    assert Contact.objects.filter(email="hank@vandelay.example").count() == 1


def test_rights_are_the_staging_tables_access_rule(imp_user, client_for):
    outsider = client_for("csm_ws_integration")

    response = outsider.post("/api/now/import/imp_user", USER_ROW, format="json")

    assert response.status_code == 403
    assert not User.objects.filter(user_name="john.public").exists()
    assert outsider.get(f"/api/now/import/imp_user/{'0' * 32}").status_code == 403
    assert client_for("admin").post("/api/now/import/imp_user", USER_ROW, format="json").status_code == 201


def test_without_credentials_401(imp_user, anonymous_client):
    assert anonymous_client.post("/api/now/import/imp_user", USER_ROW, format="json").status_code == 401


def test_unknown_staging_table_is_400(transformer):
    response = transformer.post("/api/now/import/no_such_table", USER_ROW, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Invalid table no_such_table"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/now/import/imp_user", ["not", "an", "object"]),
        ("/api/now/import/imp_user", {"first_name": {"nested": "x"}}),
        ("/api/now/import/imp_user/insertMultiple", {"rows": []}),
        ("/api/now/import/imp_user/insertMultiple", {"records": [{"user_id": "a"}, "nope"]}),
    ],
)
def test_bad_bodies_are_400_and_write_nothing(imp_user, transformer, path, body):
    response = transformer.generic("POST", path, json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["status"] == "failure"
    assert not ImportSet.objects.exists() and not User.objects.filter(user_name="a").exists()


def test_insert_multiple_takes_bodies_past_the_usual_request_limit(imp_user, transformer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    records = [{"user_id": f"bulk.{n}", "last_name": "x" * 50} for n in range(60)]  # about 5 kB

    response = transformer.post("/api/now/import/imp_user/insertMultiple", {"records": records}, format="json")
    single = transformer.post("/api/now/import/imp_user", {"user_id": "big", "last_name": "y" * 4000}, format="json")

    assert response.status_code == 201, response.content
    assert User.objects.filter(user_name__startswith="bulk.").count() == 60
    assert single.status_code == 400  # the single row keeps the usual limit


def test_a_row_posted_as_xml(imp_user, transformer):
    body = "<request><entry><user_id>xml.user</user_id><last_name>Xml</last_name></entry></request>"

    response = transformer.generic("POST", "/api/now/import/imp_user", body, content_type="application/xml",
                                   HTTP_ACCEPT="application/json")  # fmt: skip

    assert response.status_code == 201, response.content
    assert response.json()["result"][0]["status"] == "inserted"
    assert User.objects.get(user_name="xml.user").last_name == "Xml"

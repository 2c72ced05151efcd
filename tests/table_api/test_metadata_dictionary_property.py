"""Property: for random registered tables and fields, what ``sys_dictionary`` says (through the
Table API) is what the Table API does with the field: its type, reference target, length,
mandatory and read-only flags and choice list, each checked by a write that must be accepted or
refused accordingly."""

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csm_project.core.metadata.catalogue import GLIDE_NAMES, fields_of
from csm_project.core.models import TableAccess
from csm_project.core.records.field_rules import table_rules
from csm_project.registry import FieldType, all_tables
from tests.core.records.test_records import minimal_values

pytestmark = pytest.mark.django_db

PAIRS = sorted((table, field) for table, spec in all_tables().items() for field in spec.fields)
#: A value of each type that the field would store if it were written (for read-only fields).
SENT = {
    FieldType.STRING: "sent-by-client",
    FieldType.CHOICE: "sent-by-client",
    FieldType.INTEGER: "987654",
    FieldType.DECIMAL: "98765.5",
    FieldType.BOOLEAN: "false",
    FieldType.DATETIME: "2001-02-03 04:05:06",
    FieldType.DATE: "2001-02-03",
    FieldType.REFERENCE: "f" * 32,
    FieldType.JSON: {"sent": 1},
}
#: A value no field of the type takes.
BAD = {
    FieldType.INTEGER: "not a number",
    FieldType.DECIMAL: "not a number",
    FieldType.BOOLEAN: "perhaps",
    FieldType.DATETIME: "not a date",
    FieldType.DATE: "not a date",
    FieldType.REFERENCE: "0" * 32,
}


def entry(client, table: str, field: str) -> dict:
    definer = fields_of(table)[field]
    response = client.get("/api/now/table/sys_dictionary", {"sysparm_query": f"name={definer}^element={field}"})
    assert response.status_code == 200
    rows = response.json()["result"]
    assert len(rows) == 1, (table, field, definer)
    return rows[0]


def refuses(response, field: str) -> bool:
    return response.status_code == 400 and field in response.content.decode()


@pytest.fixture
def superuser(client_for):
    return client_for(is_superuser=True)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pair=st.sampled_from(PAIRS))
def test_the_dictionary_says_what_the_table_api_does(superuser, pair):
    table, field = pair
    spec = all_tables()[table].fields[field]
    row = entry(superuser, table, field)

    # What it says, against the registry.
    assert row["internal_type"]["value"] == GLIDE_NAMES[spec.type]
    assert (row["reference"]["value"] if row["reference"] else None) == spec.reference
    assert row["max_length"] == ("" if spec.max_length is None else str(spec.max_length))
    assert (row["choice"] != "0") == (spec.type is FieldType.CHOICE)

    # What the Table API does.
    url = f"/api/now/table/{table}"
    rule = TableAccess.objects.filter(table=table).first()
    if all_tables()[table].derived or (rule is not None and not rule.writable):
        assert row["read_only"] == "true" or not all_tables()[table].derived
        assert superuser.post(url, {field: SENT[spec.type]}, format="json").status_code == 403
        return
    base = minimal_values(table)
    if row["mandatory"] == "true":
        assert field in base
        without = {name: value for name, value in minimal_values(table).items() if name != field}
        assert refuses(superuser.post(url, without, format="json"), field)
    else:
        assert field not in base
        assert superuser.post(url, minimal_values(table), format="json").status_code == 201
    if field == "sys_id":  # read-only, but an insert may choose it (docs/table-api.md)
        assert row["read_only"] == "true"
        assert refuses(superuser.post(url, {**minimal_values(table), field: "not-a-sys-id"}, format="json"), field)
        chosen = uuid.uuid4().hex
        created = superuser.post(url, {**minimal_values(table), field: chosen}, format="json")
        assert created.status_code == 201 and created.json()["result"]["sys_id"] == chosen
        return
    if row["read_only"] == "true":
        created = superuser.post(url, {**minimal_values(table), field: SENT[spec.type]}, format="json")
        assert created.status_code == 201
        shown = created.json()["result"][field]
        assert SENT[spec.type] not in (shown, shown.get("value") if isinstance(shown, dict) else None)
        return
    if spec.type in BAD:
        assert refuses(superuser.post(url, {**minimal_values(table), field: BAD[spec.type]}, format="json"), field)
    if spec.type is FieldType.STRING and spec.max_length:
        too_long = {**minimal_values(table), field: "x" * (spec.max_length + 1)}
        assert refuses(superuser.post(url, too_long, format="json"), field)
    if spec.type is FieldType.CHOICE:
        choices = table_rules(table).load_choices([field])[field]
        outside = superuser.post(url, {**minimal_values(table), field: "zz_not_in_the_list"}, format="json")
        assert refuses(outside, field) if choices else outside.status_code == 201

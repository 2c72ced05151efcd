"""The one wire-text writer per field type (``csm_project.core.records.wire_values``), as every API
writes it: JSON with its characters as they are, years below 1000 unpadded."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from csm_project.core.records.wire_values import text_writer, to_text
from csm_project.registry import FieldSpec, FieldType, get_table
from interactions.models import InteractionJsonBlob


def spec(kind: FieldType) -> FieldSpec:
    return FieldSpec(name="f", model_field="f", type=kind)


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        (FieldType.JSON, {"ville": "Zürich", "n": 1}, '{"ville":"Zürich","n":1}'),
        (FieldType.DATETIME, datetime(999, 3, 1, 8, 5, 9, tzinfo=UTC), "999-03-01 08:05:09"),
        (FieldType.DATETIME, datetime(2024, 3, 1, 8, 5, 9, 250, tzinfo=UTC), "2024-03-01 08:05:09"),
        (FieldType.DATE, date(2024, 2, 29), "2024-02-29"),
        (FieldType.BOOLEAN, False, "false"),
        (FieldType.DECIMAL, 10.0, "10"),
        (FieldType.DECIMAL, 57.6, "57.6"),
        (FieldType.DECIMAL, Decimal("1.50"), "1.50"),
        (FieldType.STRING, None, ""),
    ],
)
def test_each_type_has_one_text_whichever_writer_is_asked(kind, value, text):
    assert to_text(spec(kind), value) == text
    assert text_writer(kind)(value) == text


@pytest.mark.django_db
def test_the_table_api_and_an_export_write_json_alike(admin_client_api):
    blob = InteractionJsonBlob.objects.create(value={"ville": "Zürich"})
    table = get_table(InteractionJsonBlob.sys_table)

    response = admin_client_api.get(f"/api/now/table/{table.name}/{blob.pk}", {"sysparm_fields": "value"})

    assert response.status_code == 200
    assert response.json()["result"]["value"] == to_text(table.fields["value"], blob.value) == '{"ville":"Zürich"}'

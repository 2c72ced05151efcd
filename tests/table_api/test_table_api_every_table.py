"""Every table of the registry is served: a record made through the record services is listed and
read back in every display mode, every leaf a string."""

import pytest

from csm_project.core.records.services import record_create
from csm_project.registry import all_tables
from tests.core.records.test_records import minimal_values

pytestmark = pytest.mark.django_db


def leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    else:
        yield value


@pytest.mark.parametrize("table", sorted(name for name, spec in all_tables().items() if not spec.derived))
def test_every_registry_table_lists_and_reads_in_every_display_mode(client_for, table):
    record = record_create(table=table, values=minimal_values(table))
    admin = client_for("admin")

    for mode in ("false", "true", "all"):
        listed = admin.get(
            f"/api/now/table/{table}", {"sysparm_display_value": mode, "sysparm_query": f"sys_id={record.pk}"}
        )
        one = admin.get(f"/api/now/table/{table}/{record.pk}", {"sysparm_display_value": mode})

        assert listed.status_code == 200 and one.status_code == 200, (mode, listed.content[:200], one.content[:200])
        assert listed.json()["result"] == [one.json()["result"]]
        assert one.json()["result"]["sys_id"] in (record.pk, {"display_value": record.pk, "value": record.pk})
        assert all(isinstance(leaf, str) for leaf in leaves(one.json()["result"]))

"""Real clients, unchanged, against a real HTTPS instance (gunicorn with the certificate from
``make_local_tls``): pysnc (ServiceNow's own client, which refuses plain http), pysnow (its table
resource and legacy ``query()``) and curl running the vendor's Table API examples adapted to our
tables. Every client verifies the server with the generated CA file; none turns verification off.
"""

import json
import shutil
import subprocess

import pysnow
import pytest
import requests
from pysnc import ServiceNowClient
from pysnc.exceptions import InstanceException, RequestException

from tests.table_api import https_instance
from tests.table_api.https_instance import PASSWORD

pytestmark = pytest.mark.e2e

BOXEO = "86837a386f0331003b3c498f5d3ee4ca"
CHAT = "28a59893873103002ae97e2526cb0b5d"
CURL = shutil.which("curl") or "curl is needed: apt-get install curl"
CONTACTS_SQL = "SELECT u.user_name FROM customer_contact c JOIN sys_user u ON u.sys_id = c.user_ptr_id"


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    started = https_instance.start(tmp_path_factory.mktemp("https-instance"))
    yield started
    https_instance.stop(started)


@pytest.fixture(autouse=True)
def _only_our_ca_file(monkeypatch):
    for name in https_instance.CA_BUNDLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def pysnc_client(instance, user: str) -> ServiceNowClient:
    return ServiceNowClient(instance.url, (user, PASSWORD), verify=instance.ca_file)


def pysnow_client(instance, user: str) -> pysnow.Client:
    session = requests.Session()
    session.auth = (user, PASSWORD)
    session.verify = instance.ca_file
    return pysnow.Client(host=instance.url.split("//", 1)[1], session=session)


# --- TLS ---------------------------------------------------------------------------------------


def test_the_certificate_verifies_only_with_the_generated_ca(instance):
    ok = requests.get(instance.url + "/api/now/table/sys_user_group", auth=("lead.integrator", PASSWORD),
                      verify=instance.ca_file, timeout=30)  # fmt: skip
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(instance.url + "/api/now/table/sys_user_group", verify=True, timeout=30)

    assert ok.status_code == 200 and ok.url.startswith("https://")
    with pytest.raises(InstanceException):
        ServiceNowClient(instance.url.replace("https://", "http://"), ("lead.integrator", PASSWORD))


# --- pysnc -------------------------------------------------------------------------------------


def test_pysnc_queries_with_conditions_and_order_over_several_batches(instance):
    client = pysnc_client(instance, "csm.integration")
    gr = client.GlideRecord("customer_contact", batch_size=7)
    condition = gr.add_query("city", "Orlando")
    condition.add_or_condition("city", "Chicago")
    gr.add_query("account", "!=", BOXEO)
    gr.add_encoded_query("active=true")
    gr.order_by("user_name")
    gr.query()
    names = [record.get_value("user_name") for record in gr]

    expected = [
        row[0]
        for row in instance.sql(
            CONTACTS_SQL + " WHERE c.city IN ('Orlando', 'Chicago') AND (c.account_id IS NULL OR c.account_id != ?)"
            " AND u.active ORDER BY lower(u.user_name), u.sys_id",
            BOXEO,
        )
    ]
    assert len(expected) > 3 * 7  # several batches
    assert names == expected
    assert gr.get_row_count() == len(expected)


def test_pysnc_gets_by_sys_id_and_by_field_on_contacts_leads_and_interactions(instance):
    for table, user, field, sql in (
        ("customer_contact", "csm.integration", "user_name", CONTACTS_SQL + " WHERE c.account_id = ? LIMIT 1"),
        ("sn_lead_mgmt_core_lead", "lead.integrator", "number",
         "SELECT number FROM sn_lead_mgmt_core_lead WHERE account_id = ? OR account_id IS NOT NULL LIMIT 1"),
        ("interaction", "interaction.agent", "number", "SELECT number FROM interaction WHERE channel_id != ? LIMIT 1"),
    ):  # fmt: skip
        client = pysnc_client(instance, user)
        key = instance.sql(sql, BOXEO if table != "interaction" else "")[0][0]
        by_field = client.GlideRecord(table)
        assert by_field.get(field, key) is True
        sys_id = by_field.get_value("sys_id")
        by_id = client.GlideRecord(table)
        assert by_id.get(sys_id) is True
        assert by_id.get_value(field) == key
        assert by_id.get_value("sys_class_name") == table
        assert client.GlideRecord(table).get("0" * 32) is False


def test_pysnc_reads_reference_display_values_by_default(instance):
    client = pysnc_client(instance, "csm.integration")
    gr = client.GlideRecord("customer_contact")

    assert gr.get("user_name", "carl.customer") is True
    assert gr.get_value("account") == BOXEO
    assert gr.get_display_value("account") == "Boxeo"
    assert gr.get_value("active") == "true"


# --- pysnow ------------------------------------------------------------------------------------


def test_pysnow_table_resource_gets_one_record_and_streams_all(instance):
    client = pysnow_client(instance, "csm.integration")
    accounts = client.resource(api_path="/table/customer_account")

    one = accounts.get(query={"sys_id": BOXEO}).one()
    streamed = list(accounts.get(query="ORDERBYname", stream=True).all())

    assert one["name"] == "Boxeo" and one["sys_id"] == BOXEO
    assert [record["name"] for record in streamed] == [
        row[0] for row in instance.sql("SELECT name FROM customer_account ORDER BY lower(name), sys_id")
    ]


def test_pysnow_legacy_query_follows_the_link_header(instance):
    client = pysnow_client(instance, "csm.integration")
    client.parameters.add_custom({"sysparm_limit": 50})

    request = client.query("customer_contact", query={"account": BOXEO})
    records = list(request.get_multiple(order_by=["user_name"]))

    expected = [
        row[0] for row in instance.sql(CONTACTS_SQL + " WHERE c.account_id = ? ORDER BY lower(u.user_name)", BOXEO)
    ]
    assert len(expected) > 50  # more than one page: the client followed rel="next"
    assert [record["user_name"] for record in records] == expected


# --- curl: the vendor's Table API examples, adapted to our tables -------------------------------


def curl(instance, *args: str, user: str = "csm.integration") -> tuple[int, dict, str]:
    """(HTTP status, headers, body) of a curl run verifying the server with the CA file."""
    result = subprocess.run(
        [CURL, "--silent", "--show-error", "--include", "--cacert", instance.ca_file, "--user",
         f"{user}:{PASSWORD}", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    head, _, body = result.stdout.replace("\r\n", "\n").partition("\n\n")
    status_line, *header_lines = head.split("\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body


def test_curl_retrieve_the_first_record_of_a_table(instance):
    status, headers, body = curl(
        instance, f"{instance.url}/api/now/table/customer_contact?sysparm_limit=1", "--request", "GET",
        "--header", "Accept:application/json",
    )  # fmt: skip

    result = json.loads(body)["result"]
    assert status == 200 and len(result) == 1
    assert int(headers["x-total-count"]) == instance.sql("SELECT count(*) FROM customer_contact")[0][0]
    assert all(isinstance(value, (str, dict)) for value in result[0].values())


def test_curl_retrieve_a_record_by_sys_id(instance):
    sys_id, number = instance.sql("SELECT sys_id, number FROM interaction ORDER BY number LIMIT 1")[0]

    status, _headers, body = curl(
        instance, f"{instance.url}/api/now/table/interaction/{sys_id}", "--request", "GET",
        "--header", "Accept:application/json", user="interaction.agent",
    )  # fmt: skip

    result = json.loads(body)["result"]
    assert status == 200 and result["sys_id"] == sys_id and result["number"] == number
    assert result["channel"]["link"].startswith(f"{instance.url}/api/now/table/interaction_connector/")


def test_curl_without_the_ca_file_refuses_the_server(instance):
    result = subprocess.run(
        [CURL, "--silent", f"{instance.url}/api/now/table/customer_contact"], capture_output=True, timeout=120,
        check=False, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip

    assert result.returncode == 60  # curl: the peer certificate cannot be authenticated


# --- writes through the real clients ---------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "user", "values", "changes"),
    [
        ("customer_contact", "csm.integration",
         {"user_name": "pysnc.contact", "first_name": "Py", "last_name": "Snc", "account": BOXEO},
         {"city": "Oslo"}),
        ("sn_lead_mgmt_core_lead", "lead.integrator",
         {"last_name": "Pysnc", "company": "Glide Ltd", "stage": "100_new"}, {"stage": "200_contacted"}),
        ("interaction", "interaction.agent",
         {"channel": CHAT, "short_description": "pysnc interaction"}, {"short_description": "updated by pysnc"}),
    ],
)  # fmt: skip
def test_pysnc_inserts_updates_and_deletes(instance, table, user, values, changes):
    client = pysnc_client(instance, user)
    gr = client.GlideRecord(table)
    gr.initialize()
    for name, value in values.items():
        gr.set_value(name, value)
    sys_id = gr.insert()

    assert sys_id and len(str(sys_id)) == 32
    key = "user_ptr_id" if table == "customer_contact" else "sys_id"
    assert instance.sql(f"SELECT count(*) FROM {table} WHERE {key} = ?", str(sys_id))[0][0] == 1  # noqa: S608

    found = client.GlideRecord(table)
    assert found.get(str(sys_id)) is True
    for name, value in changes.items():
        found.set_value(name, value)
    assert found.update() == sys_id
    again = client.GlideRecord(table)
    again.get(str(sys_id))
    for name, value in changes.items():
        assert again.get_value(name) == value
    assert again.get_value("sys_mod_count") == "1"

    assert again.delete() is True
    assert client.GlideRecord(table).get(str(sys_id)) is False


def test_pysnc_insert_refused_by_a_rule_raises_with_the_envelope(instance):
    gr = pysnc_client(instance, "lead.integrator").GlideRecord("sn_lead_mgmt_core_lead")
    gr.initialize()
    gr.set_value("last_name", "Bogus")
    gr.set_value("stage", "999_not_a_stage")

    with pytest.raises(RequestException) as refused:  # pysnc's error for a 400 envelope
        gr.insert()
    assert "stage" in str(refused.value)
    assert instance.sql("SELECT count(*) FROM sn_lead_mgmt_core_lead WHERE last_name = 'Bogus'")[0][0] == 0


def test_pysnow_table_resource_creates_updates_and_deletes(instance):
    client = pysnow_client(instance, "interaction.agent")
    interactions = client.resource(api_path="/table/interaction")

    created = interactions.create(payload={"channel": CHAT, "short_description": "via pysnow"}).one()
    updated = interactions.update(query={"sys_id": created["sys_id"]}, payload={"short_description": "changed"}).one()
    deleted = interactions.delete(query={"sys_id": created["sys_id"]})

    assert created["number"].startswith("IMS") and created["opened_by"]["value"]
    assert updated["short_description"] == "changed" and updated["number"] == created["number"]
    assert deleted == {"status": "record deleted"}
    assert instance.sql("SELECT count(*) FROM interaction WHERE sys_id = ?", created["sys_id"])[0][0] == 0


def test_curl_insert_update_and_delete_a_record(instance):
    base = f"{instance.url}/api/now/table/interaction"
    json_headers = ("--header", "Accept:application/json", "--header", "Content-Type:application/json")
    body = json.dumps({"short_description": "Unable to connect to office wifi", "channel": CHAT, "type": "phone"})

    status, headers, created = curl(instance, base, "--request", "POST", *json_headers, "--data", body,
                                    user="interaction.agent")  # fmt: skip
    record = json.loads(created)["result"]
    assert status == 201 and headers["location"] == f"{base}/{record['sys_id']}"
    assert record["short_description"] == "Unable to connect to office wifi" and record["type"] == "phone"

    change = json.dumps({"short_description": "Elevating urgency, this is a blocking issue"})
    status, _headers, patched = curl(instance, f"{base}/{record['sys_id']}", "--request", "PATCH", *json_headers,
                                     "--data", change, user="interaction.agent")  # fmt: skip
    assert status == 200 and json.loads(patched)["result"]["sys_mod_count"] == "1"

    status, _headers, put = curl(instance, f"{base}/{record['sys_id']}", "--request", "PUT", *json_headers,
                                 "--data", json.dumps({"type": "chat"}), user="interaction.agent")  # fmt: skip
    result = json.loads(put)["result"]
    assert status == 200 and result["type"] == "chat"
    assert result["short_description"] == "Elevating urgency, this is a blocking issue"  # PUT changed only "type"

    status, _headers, deleted = curl(instance, f"{base}/{record['sys_id']}", "--request", "DELETE",
                                     "--header", "Accept:application/json", user="interaction.agent")  # fmt: skip
    assert status == 204 and deleted == ""
    assert instance.sql("SELECT count(*) FROM interaction WHERE sys_id = ?", record["sys_id"])[0][0] == 0

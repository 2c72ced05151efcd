"""A second maintained client, unchanged: ``servicenow-cli`` (the ``servicenow`` command, a
native binary shipped on PyPI) against a real HTTPS instance it verifies with our CA only.
Generic Table API work on accounts and contacts (list, query, create, update, delete, each
checked in the instance's own database), and its ``schema`` command, which describes a table
from ``sys_dictionary`` and ``sys_choice``."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.table_api import https_instance
from tests.table_api.https_instance import PASSWORD

pytestmark = pytest.mark.e2e

CLI = shutil.which("servicenow", path=str(Path(sys.executable).parent)) or shutil.which("servicenow")


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    started = https_instance.start(tmp_path_factory.mktemp("cli-https"))
    yield started
    https_instance.stop(started)


@pytest.fixture
def run(instance, tmp_path):
    """``run(user, *args)`` -> (exit code, parsed JSON output) of one ``servicenow`` command."""
    assert CLI, "the servicenow command (pip package servicenow-cli, requirements-dev.txt) is not installed"

    def command(user: str, *args: str, ca: bool = True) -> tuple[int, dict]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SERVICENOW_", "SSL_CERT_")) and key not in https_instance.CA_BUNDLE_VARIABLES
        }
        env |= {
            "SERVICENOW_INSTANCE": instance.url,
            "SERVICENOW_AUTH_TYPE": "basic",
            "SERVICENOW_USERNAME": user,
            "SERVICENOW_PASSWORD": PASSWORD,
            "SERVICENOW_CONFIG_DIR": str(tmp_path / "config"),
            "SERVICENOW_CACHE_DIR": str(tmp_path / "cache"),
            "NO_COLOR": "1",
        }
        if ca:
            env["SSL_CERT_FILE"] = instance.ca_file  # the only authority it trusts
        done = subprocess.run([CLI, *args, "--output", "json"], env=env, capture_output=True, text=True, timeout=120)
        return done.returncode, json.loads(
            done.stdout.strip() or done.stderr.strip().splitlines()[-1]
        )  # errors: stderr

    return command


def test_the_certificate_is_verified(run):
    code, answer = run("csm.integration", "tables", "list", "customer_account", "--limit", "1", ca=False)
    assert code != 0 and answer["error"]["kind"] == "unexpected_error"


def test_accounts_listed_queried_created_updated_and_deleted(run, instance):
    user = "csm.integration"
    code, listed = run(
        user, "tables", "list", "customer_account", "--query", "nameSTARTSWITHAcme", "--fields", "sys_id,name"
    )
    assert code == 0
    assert [row["name"] for row in listed["result"]] == [
        name for (name,) in instance.sql("SELECT name FROM customer_account WHERE name LIKE 'Acme%' ORDER BY sys_id")
    ]

    code, created = run(
        user, "tables", "create", "customer_account", "--data", json.dumps({"name": "CLI Fjord", "city": "Oslo"})
    )
    assert code == 0
    sys_id = created["result"]["sys_id"]
    assert instance.sql("SELECT name, city, sys_created_by FROM customer_account WHERE sys_id = ?", sys_id) == [
        ("CLI Fjord", "Oslo", user)
    ]

    code, updated = run(user, "tables", "update", "customer_account", sys_id, "--field", "city=Bergen")
    assert code == 0 and updated["result"]["city"] == "Bergen"
    code, read = run(user, "tables", "get", "customer_account", sys_id)
    assert code == 0 and read["result"]["city"]["value"] == "Bergen"
    assert instance.sql("SELECT city, sys_mod_count FROM customer_account WHERE sys_id = ?", sys_id) == [("Bergen", 1)]

    code, deleted = run(user, "tables", "delete", "customer_account", sys_id, "--yes")
    assert code == 0 and deleted == {"deleted": True, "sys_id": sys_id, "table": "customer_account"}
    assert instance.sql("SELECT count(*) FROM customer_account WHERE sys_id = ?", sys_id) == [(0,)]
    code, gone = run(user, "tables", "get", "customer_account", sys_id)
    assert code == 4 and gone["error"]["kind"] == "not_found"


def test_contacts_created_with_an_account_queried_updated_and_deleted(run, instance):
    user = "csm.integration"
    account = instance.sql("SELECT sys_id FROM customer_account ORDER BY sys_id LIMIT 1")[0][0]
    values = {"first_name": "Cli", "last_name": "Nordmann", "email": "cli.nordmann@example.com", "account": account}
    code, created = run(user, "tables", "create", "customer_contact", "--data", json.dumps(values))
    assert code == 0, created
    sys_id = created["result"]["sys_id"]
    assert created["result"]["name"] == "Cli Nordmann"

    code, found = run(
        user, "tables", "list", "customer_contact", "--query", f"account={account}^last_name=Nordmann",
        "--fields", "sys_id,email,account.name", "--display-value", "true",
    )  # fmt: skip
    account_name = instance.sql("SELECT name FROM customer_account WHERE sys_id = ?", account)[0][0]
    assert code == 0 and found["result"] == [
        {"sys_id": sys_id, "email": "cli.nordmann@example.com", "account.name": account_name}
    ]

    code, updated = run(user, "tables", "update", "customer_contact", sys_id, "--field", "title=Skipper")
    assert code == 0 and updated["result"]["title"] == "Skipper"
    assert instance.sql("SELECT title FROM sys_user WHERE sys_id = ?", sys_id) == [("Skipper",)]

    code, refused = run(user, "tables", "create", "customer_contact", "--data", json.dumps({"account": "0" * 32}))
    assert code != 0 and refused["error"]["kind"] != "not_found"

    code, _ = run(user, "tables", "delete", "customer_contact", sys_id, "--yes")
    assert code == 0
    assert instance.sql("SELECT count(*) FROM customer_contact WHERE user_ptr_id = ?", sys_id) == [(0,)]


def test_schema_describes_a_table_from_the_dictionary(run, instance):
    code, schema = run("admin", "schema", "customer_contact", "--refresh")

    assert code == 0
    fields = {field["name"]: field for field in schema["result"]["fields"]}
    assert fields["account"] == {
        "internal_type": "reference",
        "label": "Account",
        "mandatory": False,
        "name": "account",
        "read_only": False,
        "reference": "customer_account",
    }
    stored = {
        element
        for (element,) in instance.sql(
            "SELECT element FROM sys_dictionary WHERE name = 'customer_contact' AND element IS NOT NULL"
        )
    }
    assert set(fields) == stored


def test_schema_and_choices_read_a_table_s_choice_lists(run, instance):
    code, schema = run("admin", "schema", "sn_lead_mgmt_core_lead", "--refresh")
    code_choices, stages = run("admin", "choices", "sn_lead_mgmt_core_lead", "stage")

    assert code == 0 and code_choices == 0
    stored = instance.sql(
        "SELECT element, value, label FROM sys_choice WHERE \"table\" = 'sn_lead_mgmt_core_lead' AND NOT inactive"
        " ORDER BY element, sequence, value"
    )
    assert set(schema["result"]["choices"]) == {element for element, _, _ in stored}
    listed = stages["result"] if isinstance(stages["result"], list) else stages["result"]["choices"]
    assert [(choice["value"], choice["label"]) for choice in listed] == [
        (value, label) for element, value, label in stored if element == "stage"
    ]


def test_a_caller_without_the_read_right_is_refused(run):
    code, refused = run("lead.integrator", "tables", "list", "customer_account")
    assert code == 3 and refused["error"]["kind"] == "auth"

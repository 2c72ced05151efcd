"""pysnc, unchanged, introspects a real HTTPS instance (gunicorn, verified TLS): the platform's
tables describing itself (sys_db_object, sys_dictionary, sys_glide_object, sys_script) read with
GlideRecord, paged, dot-walked and counted as any table, refused when written. pysnc itself
reads no metadata table for its own features, so these are the calls a pysnc script makes."""

import uuid

import pytest
from pysnc import ServiceNowClient
from pysnc.exceptions import RoleException

from csm_project.core.metadata.catalogue import NAMESPACE
from tests.table_api import https_instance
from tests.table_api.https_instance import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    started = https_instance.start(tmp_path_factory.mktemp("metadata-https"))
    yield started
    https_instance.stop(started)


@pytest.fixture(autouse=True)
def _only_our_ca_file(monkeypatch):
    for name in https_instance.CA_BUNDLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def client(instance, user: str = "csm.integration") -> ServiceNowClient:
    return ServiceNowClient(instance.url, (user, PASSWORD), verify=instance.ca_file)


def test_glide_record_reads_a_table_and_the_table_it_extends(instance):
    gr = client(instance).GlideRecord("sys_db_object")
    gr.fields = "sys_id,name,label,super_class,super_class.name,is_extendable"
    gr.add_query("name", "customer_contact")
    gr.query()

    assert gr.next()
    assert gr.get_value("sys_id") == uuid.uuid5(NAMESPACE, "sys_db_object:customer_contact").hex
    assert gr.get_value("label") == "Contact" and gr.get_value("is_extendable") == "false"
    assert gr.super_class.name == "sys_user"
    assert gr.get_value("super_class") == uuid.uuid5(NAMESPACE, "sys_db_object:sys_user").hex
    assert not gr.next()
    stored = {row[0] for row in instance.sql("SELECT name FROM sys_db_object")}
    assert {"customer_contact", "customer_account", "sys_dictionary", "sys_user_has_role"} <= stored


def test_glide_record_pages_through_the_dictionary_of_a_table(instance):
    gr = client(instance).GlideRecord("sys_dictionary", batch_size=5)
    gr.add_query("name", "sys_user")
    gr.add_query("element", "STARTSWITH", "sys_")
    gr.order_by("element")
    gr.query()

    seen = [(record.get_value("element"), record.get_value("internal_type")) for record in gr]

    expected = instance.sql(
        "SELECT element, internal_type FROM sys_dictionary WHERE name = 'sys_user' AND element LIKE 'sys\\_%' "
        "ESCAPE '\\' ORDER BY element"
    )
    assert seen == expected and len(seen) == 10  # two pages of five
    assert gr.get_row_count() == 10
    assert dict(seen)["sys_created_on"] == "glide_date_time"


def test_glide_record_reads_one_field_by_its_stable_sys_id_with_display_values(instance):
    gr = client(instance).GlideRecord("sys_dictionary")
    gr.display_value = "all"

    assert gr.get(uuid.uuid5(NAMESPACE, "sys_dictionary:customer_contact.account").hex)
    assert gr.get_value("element") == "account"
    assert gr.get_value("reference") == "customer_account" and gr.get_value("internal_type") == "reference"
    assert gr.get_display_value("internal_type") == "reference"
    assert gr.get_value("mandatory") == "false" and gr.get_display_value("column_label") == "Account"

    types = client(instance).GlideRecord("sys_glide_object")
    types.add_query("name", gr.get_value("internal_type"))
    types.query()
    assert types.next() and types.get_value("label") == "Reference"


def test_business_rules_are_listed_and_the_describing_tables_refuse_writes(instance):
    rules = client(instance, "admin").GlideRecord("sys_script")
    rules.add_query("collection", "customer_contact")
    rules.query()
    assert [(rule.get_value("when"), rule.get_value("script")) for rule in rules] == [
        ("before", "contacts.services.ContactRules.clean")
    ]

    new = client(instance, "admin").GlideRecord("sys_dictionary")
    new.initialize()
    new.set_value("name", "customer_contact")
    new.set_value("element", "invented")
    with pytest.raises(RoleException, match="Insufficient rights to create records"):  # pysnc's word for a 403
        new.insert()
    assert instance.sql("SELECT count(*) FROM sys_dictionary WHERE element = 'invented'") == [(0,)]

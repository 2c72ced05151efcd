"""pysnc, unchanged, over verified HTTPS (gunicorn): an insert naming its sys_id, `CONTAINS`, a
join query, a related-list query and a masked password, each as pysnc itself writes them.
Results are checked in the instance's own database file, independently of the API."""

import pytest
from pysnc import ServiceNowClient
from pysnc.exceptions import RoleException

from tests.table_api import https_instance
from tests.table_api.https_instance import PASSWORD

pytestmark = pytest.mark.e2e

CHOSEN = "c0ffee00c0ffee00c0ffee00c0ffee00"


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    started = https_instance.start(tmp_path_factory.mktemp("client-queries-https"))
    yield started
    https_instance.stop(started)


@pytest.fixture(autouse=True)
def _only_our_ca_file(monkeypatch):
    for name in https_instance.CA_BUNDLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def client(instance, user: str = "csm.integration") -> ServiceNowClient:
    return ServiceNowClient(instance.url, (user, PASSWORD), verify=instance.ca_file)


@pytest.fixture(scope="module")
def chosen_account(instance):
    """An account inserted by pysnc under a sys_id it chose, with one contact titled "E2E buyer"."""
    with pytest.MonkeyPatch.context() as patch:  # set up before the per-test fixture runs
        for name in https_instance.CA_BUNDLE_VARIABLES:
            patch.delenv(name, raising=False)
        _insert_chosen(client(instance))
    return CHOSEN


def _insert_chosen(sn: ServiceNowClient) -> None:
    account = sn.GlideRecord("customer_account")
    account.initialize()
    account.set_new_guid_value(CHOSEN)
    account.set_value("name", "Chosen Identity Ltd")
    assert account.insert() == CHOSEN
    contact = sn.GlideRecord("customer_contact")
    contact.initialize()
    contact.set_value("user_name", "e2e.buyer")
    contact.set_value("title", "E2E buyer")
    contact.set_value("account", CHOSEN)
    assert contact.insert()


def names(gr) -> list[str]:
    gr.query()
    return [record.get_value("sys_id") for record in gr]


def test_insert_keeps_the_sys_id_pysnc_chose_and_refuses_it_twice(instance, chosen_account):
    assert instance.sql("SELECT name FROM customer_account WHERE sys_id = ?", CHOSEN) == [("Chosen Identity Ltd",)]

    again = client(instance).GlideRecord("customer_account")
    again.initialize()
    again.set_new_guid_value(CHOSEN)
    again.set_value("name", "Second with the same id")
    # pysnc turns every 403 into a RoleException; the envelope says why.
    with pytest.raises(RoleException) as refused:
        again.insert()
    assert "record with sys_id c0ffee00" in refused.value.args[0]["error"]["message"]
    assert instance.sql("SELECT count(*) FROM customer_account WHERE name = ?", "Second with the same id") == [(0,)]


def test_contains_filters_as_pysnc_documents_it(instance, chosen_account):
    gr = client(instance).GlideRecord("customer_account")
    gr.add_query("name", "CONTAINS", "identity l")
    assert names(gr) == [CHOSEN]
    every = instance.sql("SELECT count(*) FROM customer_account")[0][0]
    gr = client(instance).GlideRecord("customer_account")
    gr.add_query("name", "DOES NOT CONTAIN", "identity l")
    gr.query()
    assert gr.get_row_count() == every - 1


def test_join_query_selects_accounts_by_their_contacts(instance, chosen_account):
    gr = client(instance).GlideRecord("customer_account")
    join = gr.add_join_query("customer_contact", join_table_field="account")
    join.add_query("title", "E2E buyer")
    assert names(gr) == [CHOSEN]


def test_related_list_query_counts_contacts_per_account(instance, chosen_account):
    gr = client(instance).GlideRecord("customer_account")
    gr.add_query("name", "STARTSWITH", "Chosen")
    gr.add_rl_query("customer_contact", "account", ">=1", False).add_query("title", "E2E buyer")
    assert names(gr) == [CHOSEN]

    none = client(instance).GlideRecord("customer_account")
    none.add_query("name", "STARTSWITH", "Chosen")
    none.add_rl_query("customer_contact", "account", "=0", False)
    assert names(none) == []


def test_a_password_reads_masked_and_never_as_its_hash(instance):
    gr = client(instance, "admin").GlideRecord("sys_user")
    gr.add_query("user_name", "csm.integration")
    gr.query()
    assert gr.next()
    assert gr.get_value("user_password") == "********"
    assert gr.get_display_value("user_password") == "********"
    [(stored,)] = instance.sql("SELECT password FROM sys_user WHERE user_name = ?", "csm.integration")
    assert stored and stored != "********"

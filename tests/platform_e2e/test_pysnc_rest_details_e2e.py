"""pysnc, unchanged, against a real HTTPS instance (gunicorn, certificate verified against the
instance's own CA): the vendor's request headers (``X-no-response-body``,
``X-HTTP-Method-Override``) sent on pysnc's own session, the v1 empty list, the attachment
items (``Attachment.get_link()``, ``X-Attachment-Metadata``, renaming) and an Import Set API
post. Results are checked in the instance's database file, independently of the API."""

import json

import pytest
from pysnc import ServiceNowClient

from tests.table_api import https_instance
from tests.table_api.https_instance import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    directory = tmp_path_factory.mktemp("rest-details-https")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATTACHMENT_ROOT", str(directory / "attachments"))
        started = https_instance.start(directory)
    yield started
    https_instance.stop(started)


@pytest.fixture(autouse=True)
def _only_our_ca_file(monkeypatch):
    for name in https_instance.CA_BUNDLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def client(instance, user: str = "csm.integration") -> ServiceNowClient:
    return ServiceNowClient(instance.url, (user, PASSWORD), verify=instance.ca_file)


def new_account(sn: ServiceNowClient, name: str) -> str:
    record = sn.GlideRecord("customer_account")
    record.initialize()
    record.set_value("name", name)
    return record.insert()


def test_no_response_body_and_method_override_on_pysncs_session(instance):
    sn = client(instance)
    url = f"{instance.url}/api/now/table/customer_account"

    quiet = sn.session.post(url, json={"name": "E2E quiet"}, headers={"X-no-response-body": "true"})
    assert quiet.status_code == 201 and quiet.content == b""
    sys_id = quiet.headers["Location"].rsplit("/", 1)[1]
    assert instance.sql("SELECT name FROM customer_account WHERE sys_id = ?", sys_id) == [("E2E quiet",)]

    patched = sn.session.post(f"{url}/{sys_id}", json={"name": "E2E renamed"},
                              headers={"X-HTTP-Method-Override": "PATCH"})  # fmt: skip
    assert patched.status_code == 200 and patched.json()["result"]["name"] == "E2E renamed"
    assert instance.sql("SELECT name FROM customer_account WHERE sys_id = ?", sys_id) == [("E2E renamed",)]

    refused = client(instance, "no.role").session.post(f"{url}/{sys_id}", headers={"X-HTTP-Method-Override": "DELETE"})
    assert refused.status_code == 403
    deleted = sn.session.post(f"{url}/{sys_id}", headers={"X-HTTP-Method-Override": "DELETE"})
    assert deleted.status_code == 204
    assert instance.sql("SELECT count(*) FROM customer_account WHERE sys_id = ?", sys_id) == [(0,)]


def test_v1_empty_list_is_404_and_pysnc_still_reads_empty_lists(instance):
    sn = client(instance)
    empty = sn.session.get(f"{instance.url}/api/now/v1/table/customer_account", params={"name": "No such account"})
    assert empty.status_code == 404 and empty.json()["error"]["detail"] == "Records not found"

    gr = sn.GlideRecord("customer_account")
    gr.add_query("name", "No such account")
    gr.query()
    assert gr.get_row_count() == 0 and not gr.next()


def test_attachment_link_metadata_header_and_rename(instance):
    sn = client(instance)
    parent = new_account(sn, "E2E attachments")
    accounts = sn.GlideRecord("customer_account")
    assert accounts.get(parent)
    accounts.add_attachment("first.txt", b"attached bytes", "text/plain")

    attachments = sn.Attachment("customer_account")
    attachments.add_query("table_sys_id", parent)
    attachments.query()
    assert attachments.next()
    link = attachments.get_link()
    assert link == f"{instance.url}/api/now/v1/attachment/{attachments.sys_id}/file"

    downloaded = sn.session.get(link)
    assert downloaded.status_code == 200 and downloaded.content == b"attached bytes"
    metadata = json.loads(downloaded.headers["X-Attachment-Metadata"])
    assert metadata["file_name"] == "first.txt" and metadata["table_sys_id"] == parent
    assert metadata["compressed"] == "false" and metadata["size_bytes"] == str(len(b"attached bytes"))

    renamed = sn.session.patch(
        f"{instance.url}/api/now/attachment/{attachments.sys_id}", json={"file_name": "second.txt"}
    )
    assert renamed.status_code == 204 and renamed.content == b""
    stored = instance.sql("SELECT file_name FROM sys_attachment WHERE sys_id = ?", attachments.sys_id)
    assert stored == [("second.txt",)]
    assert attachments.read() == b"attached bytes"


def test_import_set_post_over_https(instance):
    sn = client(instance, "import.transformer")
    row = {"u_company": "E2E Imports", "u_email": "e2e.buyer@imports.example", "u_first_name": "Eve",
           "u_last_name": "Buyer"}  # fmt: skip

    response = sn.session.post(f"{instance.url}/api/now/import/u_imp_customer", json=row)

    assert response.status_code == 201, response.text
    account, contact = response.json()["result"]
    assert (account["status"], contact["status"]) == ("inserted", "inserted")
    assert contact["record_link"] == f"{instance.url}/api/now/table/customer_contact/{contact['sys_id']}"
    rows = instance.sql("SELECT account_id FROM customer_contact WHERE user_ptr_id = ?", contact["sys_id"])
    assert rows == [(account["sys_id"],)]

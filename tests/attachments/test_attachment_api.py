"""Attachment API: upload (raw and multipart), metadata, download, list, delete, limits, rights."""

import hashlib
from urllib.parse import urlsplit

import pytest
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.test import override_settings

from contacts.models import Account
from csm_project.attachments import services
from csm_project.attachments.models import Attachment
from csm_project.core.errors import DomainError
from leads.models import LEAD_TABLE, Lead
from tests.attachments.conftest import stored_files
from tests.batch_api.test_batch import batch_json

BASE = "/api/now/attachment"
CONTENT = b"%PDF-1.4 some bytes\x00\xff and more"


@pytest.fixture
def account(db):
    return Account.objects.create(name="Acme")


@pytest.fixture
def writer(client_for):
    return client_for("csm_ws_integration")


def upload(client, account, content=CONTENT, *, file_name="report.pdf", content_type="application/pdf", **params):
    query = {"table_name": "customer_account", "table_sys_id": account.sys_id, "file_name": file_name, **params}
    url = f"{BASE}/file?" + "&".join(f"{key}={value}" for key, value in query.items())
    return client.generic("POST", url, content, content_type=content_type)


def test_raw_upload_stores_the_file_with_its_hash_and_answers_201(writer, account, attachment_folder):
    response = upload(writer, account)

    assert response.status_code == 201, response.content
    result = response.json()["result"]
    sys_id = result["sys_id"]
    assert urlsplit(response["Location"]).path == f"/api/now/v1/attachment/{sys_id}"
    assert result["file_name"] == "report.pdf"
    assert result["content_type"] == "application/pdf"
    assert result["size_bytes"] == str(len(CONTENT))
    assert result["hash"] == hashlib.sha256(CONTENT).hexdigest()
    assert result["table_name"] == "customer_account" and result["table_sys_id"] == account.sys_id
    assert result["download_link"] == f"http://testserver/api/now/v1/attachment/{sys_id}/file"
    assert "stored_name" not in result
    assert all(isinstance(value, str) for value in result.values())
    [stored] = stored_files(attachment_folder)
    assert stored.read_bytes() == CONTENT


def test_metadata_download_and_list(writer, account):
    sys_id = upload(writer, account).json()["result"]["sys_id"]
    other = Account.objects.create(name="Other")
    upload(writer, other, b"other", file_name="other.txt", content_type="text/plain")

    meta = writer.get(f"{BASE}/{sys_id}")
    assert meta.status_code == 200 and meta.json()["result"]["sys_id"] == sys_id

    content = writer.get(f"/api/now/v1/attachment/{sys_id}/file")
    assert content.status_code == 200
    assert content["Content-Type"] == "application/pdf"
    assert content["Content-Length"] == str(len(CONTENT))
    assert b"".join(content.streaming_content) == CONTENT

    listed = writer.get(BASE, {"sysparm_query": f"table_sys_id={account.sys_id}"})
    assert listed.status_code == 200
    assert [row["sys_id"] for row in listed.json()["result"]] == [sys_id]
    assert listed["X-Total-Count"] == "1"
    everything = writer.get(BASE, {"sysparm_query": "ORDERBYfile_name", "sysparm_display_value": "all"})
    assert [row["file_name"]["value"] for row in everything.json()["result"]] == ["other.txt", "report.pdf"]


def test_multipart_upload(writer, account, attachment_folder):
    from django.core.files.uploadedfile import SimpleUploadedFile

    part = SimpleUploadedFile("notes.txt", b"hello multipart", content_type="text/plain")
    response = writer.post(
        f"{BASE}/upload", {"table_name": "customer_account", "table_sys_id": account.sys_id, "uploadFile": part}
    )

    assert response.status_code == 201, response.content
    result = response.json()["result"]
    assert (result["file_name"], result["content_type"], result["size_bytes"]) == ("notes.txt", "text/plain", "15")
    assert result["hash"] == hashlib.sha256(b"hello multipart").hexdigest()
    assert [path.read_bytes() for path in stored_files(attachment_folder)] == [b"hello multipart"]


def test_delete_removes_the_row_and_then_the_file(
    writer, account, attachment_folder, django_capture_on_commit_callbacks
):
    sys_id = upload(writer, account).json()["result"]["sys_id"]

    with django_capture_on_commit_callbacks(execute=True):
        response = writer.delete(f"{BASE}/{sys_id}")

    assert response.status_code == 204 and response.content == b""
    assert not Attachment.objects.exists()
    assert stored_files(attachment_folder) == []
    assert writer.get(f"{BASE}/{sys_id}").status_code == 404


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(writer, account, attachment_folder):
    with override_settings(ATTACHMENT_MAX_BYTES=10):
        by_length = upload(writer, account, b"x" * 11)
        with pytest.raises(DomainError):  # a body with no declared length is counted as it is read
            services.attachment_add_stream(
                user=writer.user, table_name="customer_account", table_sys_id=account.sys_id, file_name="a",
                content_type="text/plain", chunks=iter([b"12345", b"67890", b"1"]),
            )  # fmt: skip
        fits = upload(writer, account, b"x" * 10)

    assert by_length.status_code == 400
    assert "larger than the limit of 10 bytes" in by_length.json()["error"]["detail"]
    assert fits.status_code == 201
    assert Attachment.objects.count() == 1
    assert [path.read_bytes() for path in stored_files(attachment_folder)] == [b"x" * 10]


def test_unknown_attachment_record_and_table(writer, account):
    assert writer.get(f"{BASE}/{'0' * 32}").status_code == 404
    assert writer.get(f"{BASE}/not-an-id/file").status_code == 404
    assert writer.delete(f"{BASE}/{'0' * 32}").json()["error"]["message"] == "No Record found"
    missing = upload(writer, Account(sys_id="a" * 32))
    assert missing.status_code == 404
    bad_table = upload(writer, account, table_name="no_table")
    assert bad_table.status_code == 400 and "Invalid table no_table" in bad_table.json()["error"]["message"]
    assert upload(writer, account, file_name="").status_code == 400
    assert not Attachment.objects.exists()


def test_rights_are_those_of_the_parent_record(client_for, writer, account, anonymous_client):
    sys_id = upload(writer, account).json()["result"]["sys_id"]
    lead = Lead.objects.create(last_name="L")
    leads = client_for("sn_lead_mgmt_core.lead_integrator")
    lead_file = leads.generic(
        "POST", f"{BASE}/file?table_name={LEAD_TABLE}&table_sys_id={lead.sys_id}&file_name=l.txt", b"lead",
        content_type="text/plain",
    ).json()["result"]["sys_id"]  # fmt: skip

    assert anonymous_client.get(BASE).status_code == 401
    assert leads.get(f"{BASE}/{sys_id}").status_code == 403
    assert leads.get(f"{BASE}/{sys_id}/file").status_code == 403
    assert leads.delete(f"{BASE}/{sys_id}").status_code == 403
    assert upload(leads, account).status_code == 403
    assert [row["sys_id"] for row in leads.get(BASE).json()["result"]] == [lead_file]
    assert [row["sys_id"] for row in writer.get(BASE).json()["result"]] == [sys_id]
    assert len(client_for("admin").get(BASE).json()["result"]) == 2
    # Read right without write right on the parent table: may download, may not add or delete.
    agent = client_for("interaction_agent")
    from interactions.models import InteractionConnector

    connector = InteractionConnector.objects.create(name="Chat")
    added = client_for("admin").generic(
        "POST", f"{BASE}/file?table_name=interaction_connector&table_sys_id={connector.sys_id}&file_name=c.txt",
        b"c", content_type="text/plain",
    ).json()["result"]["sys_id"]  # fmt: skip
    assert agent.get(f"{BASE}/{added}/file").status_code == 200
    assert agent.delete(f"{BASE}/{added}").status_code == 403
    refused = agent.generic(
        "POST", f"{BASE}/file?table_name=interaction_connector&table_sys_id={connector.sys_id}&file_name=d.txt",
        b"d", content_type="text/plain",
    )  # fmt: skip
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Insufficient rights to create records"


def test_attachments_go_with_their_record(writer, account, attachment_folder, django_capture_on_commit_callbacks):
    upload(writer, account)
    upload(writer, account, b"second", file_name="b.txt")
    kept = Account.objects.create(name="Kept")
    upload(writer, kept, b"kept", file_name="k.txt")

    with django_capture_on_commit_callbacks(execute=True):
        response = writer.delete(f"/api/now/table/customer_account/{account.sys_id}")

    assert response.status_code == 204
    assert list(Attachment.objects.values_list("file_name", flat=True)) == ["k.txt"]
    assert [path.read_bytes() for path in stored_files(attachment_folder)] == [b"kept"]
    with django_capture_on_commit_callbacks(execute=True):
        kept.delete()  # a plain model delete (admin, shell) too
    assert not Attachment.objects.exists() and stored_files(attachment_folder) == []


def test_upload_and_download_through_a_batch(writer, account):
    import base64

    response = writer.post(
        "/api/now/v1/batch",
        {
            "rest_requests": [
                {
                    "id": "up",
                    "method": "POST",
                    "url": f"{BASE}/file?table_name=customer_account&table_sys_id={account.sys_id}&file_name=b.bin",
                    "headers": [{"name": "Content-Type", "value": "application/octet-stream"}],
                    "body": base64.b64encode(b"batched bytes").decode(),
                }
            ]
        },
        format="json",
    )
    [answer] = batch_json(response)["serviced_requests"]
    assert answer["status_code"] == 201
    attachment = Attachment.objects.get()
    assert (attachment.file_name, attachment.size_bytes) == ("b.bin", 13)
    download = writer.post(
        "/api/now/v1/batch",
        {"rest_requests": [{"id": "d", "method": "GET", "url": f"{BASE}/{attachment.sys_id}/file"}]},
        format="json",
    )
    assert base64.b64decode(batch_json(download)["serviced_requests"][0]["body"]) == b"batched bytes"


def test_a_multipart_file_over_the_limit_is_refused_and_nothing_is_stored(writer, account, attachment_folder):
    from django.core.files.uploadedfile import SimpleUploadedFile

    part = SimpleUploadedFile("big.txt", b"y" * 11, content_type="text/plain")
    with override_settings(ATTACHMENT_MAX_BYTES=10):
        response = writer.post(
            f"{BASE}/upload", {"table_name": "customer_account", "table_sys_id": account.sys_id, "uploadFile": part}
        )

    assert response.status_code == 400
    assert "larger than the limit of 10 bytes" in response.json()["error"]["detail"]
    assert not Attachment.objects.exists() and stored_files(attachment_folder) == []
    no_file = writer.post(f"{BASE}/upload", {"table_name": "customer_account", "table_sys_id": account.sys_id})
    assert no_file.status_code == 400


class CountingStorage(FileSystemStorage):
    """The attachments' folder storage, counting the bytes read from the files it opens."""

    read_bytes = 0

    def open(self, name, mode="rb"):
        return File(_CountedReads(super().open(name, mode).file), name)


class _CountedReads:
    def __init__(self, file) -> None:
        self.file = file

    def read(self, *args) -> bytes:
        data = self.file.read(*args)
        CountingStorage.read_bytes += len(data)
        return data

    def __getattr__(self, name):
        return getattr(self.file, name)


def test_a_download_past_the_batch_item_limit_is_unserviced_and_read_no_further(writer, account, settings):
    import base64

    content = bytes(range(256)) * 400  # 100 KiB
    sys_id = upload(writer, account, content, file_name="big.bin").json()["result"]["sys_id"]
    location = settings.STORAGES["attachments"]["OPTIONS"]["location"]
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {"BACKEND": f"{__name__}.CountingStorage", "OPTIONS": {"location": location}},
    }
    CountingStorage.read_bytes = 0
    get = {"id": "d", "method": "GET", "url": f"{BASE}/{sys_id}/file"}

    with override_settings(BATCH_API_MAX_ITEM_ANSWER_BYTES=10_000):
        cut = batch_json(writer.post("/api/now/v1/batch", {"rest_requests": [get]}, format="json"))
    assert cut == {"batch_request_id": "", "serviced_requests": [], "unserviced_requests": ["d"]}
    assert CountingStorage.read_bytes <= 10_000 + 64 * 1024  # the limit, and at most one more chunk

    write = {"id": "w", "method": "POST", "url": "/api/now/table/customer_account",
             "headers": [{"name": "Content-Type", "value": "application/json"}],
             "body": base64.b64encode(b'{"name": "After the download"}').decode()}  # fmt: skip
    whole = batch_json(writer.post("/api/now/v1/batch", {"rest_requests": [get, write]}, format="json"))
    assert base64.b64decode(whole["serviced_requests"][0]["body"]) == content
    assert whole["serviced_requests"][1]["status_code"] == 201  # the download left the connection open
    assert Account.objects.filter(name="After the download").exists()


def test_the_list_shows_attachments_of_every_table_the_caller_may_read(client_for, writer, account):
    """interaction_agent may read the connectors (not write them): their files are listed for it,
    the accounts' are not."""
    from interactions.models import InteractionConnector

    connector = InteractionConnector.objects.create(name="Chat")
    on_connector = client_for("admin").generic(
        "POST", f"{BASE}/file?table_name=interaction_connector&table_sys_id={connector.sys_id}&file_name=c.txt",
        b"c", content_type="text/plain",
    ).json()["result"]["sys_id"]  # fmt: skip
    upload(writer, account)

    listed = client_for("interaction_agent").get(BASE)

    assert [row["sys_id"] for row in listed.json()["result"]] == [on_connector]
    assert listed["X-Total-Count"] == "1"


@pytest.mark.parametrize("table", ["sys_audit", "sys_journal_field"])
def test_nothing_attaches_to_the_audit_or_the_journal(client_for, account, attachment_folder, table):
    from csm_project.core.models import JournalEntry, SysAudit
    from csm_project.core.records.journal import journal_add

    journal_add(record=account, text="a note")
    parent = (SysAudit if table == "sys_audit" else JournalEntry).objects.first()
    response = client_for("admin").generic(
        "POST", f"{BASE}/file?table_name={table}&table_sys_id={parent.pk}&file_name=a.txt", b"x",
        content_type="text/plain",
    )  # fmt: skip

    assert response.status_code == 400
    assert f"Records of {table} cannot have attachments" in response.json()["error"]["message"]
    assert not Attachment.objects.exists() and stored_files(attachment_folder) == []


def test_a_rolled_back_delete_keeps_the_row_and_the_file(
    writer, account, attachment_folder, django_capture_on_commit_callbacks
):
    from django.db import transaction

    sys_id = upload(writer, account).json()["result"]["sys_id"]
    attachment = Attachment.objects.get(pk=sys_id)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.attachment_delete(user=writer.user, attachment=attachment)
            raise RuntimeError("the deleting transaction fails")

    assert Attachment.objects.filter(pk=sys_id).exists()
    assert [path.read_bytes() for path in stored_files(attachment_folder)] == [CONTENT]
    assert writer.get(f"{BASE}/{sys_id}/file").status_code == 200


def test_a_file_stored_before_its_row_failed_to_insert_is_removed(writer, account, attachment_folder, monkeypatch):
    from django.db import IntegrityError

    def refused(self, *args, **kwargs):
        raise IntegrityError("the row could not be written")

    monkeypatch.setattr(Attachment, "save", refused)
    with pytest.raises(IntegrityError):
        services.attachment_add_stream(
            user=writer.user, table_name="customer_account", table_sys_id=account.sys_id, file_name="a.txt",
            content_type="text/plain", chunks=iter([b"stored, then orphaned"]),
        )  # fmt: skip

    assert stored_files(attachment_folder) == []


def test_display_values_are_in_the_callers_time_zone(client_for, account):
    from datetime import UTC, datetime

    paris = client_for("csm_ws_integration", time_zone="Europe/Paris")
    sys_id = upload(paris, account).json()["result"]["sys_id"]
    Attachment.objects.filter(pk=sys_id).update(sys_created_on=datetime(2024, 1, 15, 12, 0, tzinfo=UTC))

    shown = paris.get(f"{BASE}/{sys_id}", {"sysparm_display_value": "all", "sysparm_fields": "sys_created_on"})
    listed = paris.get(BASE, {"sysparm_display_value": "true", "sysparm_fields": "sys_created_on"})

    assert shown.json()["result"]["sys_created_on"] == {
        "display_value": "2024-01-15 13:00:00",
        "value": "2024-01-15 12:00:00",
    }
    assert listed.json()["result"][0]["sys_created_on"] == "2024-01-15 13:00:00"

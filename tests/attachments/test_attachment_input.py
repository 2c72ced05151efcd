"""Attachment API input that must be refused or read whole before anything is stored: hostile
file names and content types (direct, multipart, through a Batch item), bodies sent without a
length, a full file store; and rows stored before these checks, which still download safely."""

import base64
import errno
import io
from urllib.parse import quote

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from contacts.models import Account
from csm_project.attachments.models import Attachment
from tests.attachments.conftest import stored_files
from tests.attachments.test_attachment_api import BASE, CONTENT
from tests.batch_api.test_batch import batch_json


@pytest.fixture
def account(db):
    return Account.objects.create(name="Acme")


@pytest.fixture
def writer(client_for):
    return client_for("csm_ws_integration")


def raw_upload_url(account, file_name: str) -> str:
    return (
        f"{BASE}/file?table_name=customer_account&table_sys_id={account.sys_id}&file_name={quote(file_name, safe='')}"
    )


def refused(response, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] == "failure" and field in body["error"]["detail"]


@pytest.mark.parametrize("file_name", [".", "..", "/", "a/", "../etc/passwd", "a\\b", "a\x00b", "a\r\nb", "\x07", " "])
def test_a_file_name_that_is_not_a_name_is_refused_and_nothing_stored(writer, account, attachment_folder, file_name):
    response = writer.generic("POST", raw_upload_url(account, file_name), CONTENT, content_type="text/plain")

    refused(response, "file_name")
    assert not Attachment.objects.exists() and stored_files(attachment_folder) == []


@pytest.mark.parametrize(
    "content_type", ["text/plain\r\nX-Injected: 1", "text/plain\x00", "no-slash", "text/", "a/b; c", "\x7f/x"]
)
def test_a_content_type_that_is_no_media_type_is_refused_and_nothing_is_stored(
    writer, account, attachment_folder, content_type
):
    response = writer.generic("POST", raw_upload_url(account, "a.txt"), CONTENT, content_type=content_type)

    refused(response, "content_type")
    assert not Attachment.objects.exists() and stored_files(attachment_folder) == []


def test_media_types_with_parameters_are_kept_as_sent(writer, account):
    for content_type in ['text/plain; charset="utf-8"', "application/vnd.ms-excel;version=2", "image/svg+xml"]:
        response = writer.generic("POST", raw_upload_url(account, "a.txt"), CONTENT, content_type=content_type)
        assert response.status_code == 201, response.content
        assert response.json()["result"]["content_type"] == content_type


def test_a_multipart_part_with_a_bad_type_or_form_name_is_refused(writer, account, attachment_folder):
    form = {"table_name": "customer_account", "table_sys_id": account.sys_id}
    bad_type = SimpleUploadedFile("a.txt", b"x", content_type="text/plain\x01")
    assert writer.post(f"{BASE}/upload", {**form, "uploadFile": bad_type}).status_code == 400
    bad_name = SimpleUploadedFile("a.txt", b"x", content_type="text/plain")
    refused(writer.post(f"{BASE}/upload", {**form, "file_name": "..", "uploadFile": bad_name}), "file_name")
    assert not Attachment.objects.exists() and stored_files(attachment_folder) == []


def test_a_crlf_content_type_in_a_batch_item_header_never_reaches_storage(writer, account, attachment_folder):
    upload = {
        "id": "up",
        "method": "POST",
        "url": raw_upload_url(account, "a.txt"),
        "headers": [{"name": "Content-Type", "value": "text/plain\r\nX-Injected: 1"}],
        "body": base64.b64encode(CONTENT).decode(),
    }
    response = writer.post("/api/now/v1/batch", {"rest_requests": [upload]}, format="json")

    [answer] = batch_json(response)["serviced_requests"]
    assert answer["status_code"] == 400
    assert not Attachment.objects.exists() and stored_files(attachment_folder) == []


def stored_before_the_checks(account, writer, **fields) -> Attachment:
    """An attachment whose row holds what uploads now refuse (written before the checks existed)."""
    sys_id = writer.generic("POST", raw_upload_url(account, "ok.txt"), CONTENT, content_type="text/plain").json()[
        "result"
    ]["sys_id"]
    Attachment.objects.filter(pk=sys_id).update(**fields)
    return Attachment.objects.get(pk=sys_id)


@pytest.mark.parametrize(
    "fields",
    [
        {"content_type": "text/plain\r\nX-Injected: 1"},
        {"content_type": "text/plain\x01"},
        {"file_name": "a\r\nb.txt"},
        {"file_name": ".."},
        {"file_name": "dir/a.txt"},
    ],
)
def test_rows_stored_before_the_checks_still_download_safely(writer, account, make_user, fields):
    attachment = stored_before_the_checks(account, writer, **fields)

    download = writer.get(f"{BASE}/{attachment.sys_id}/file")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == CONTENT
    assert "\r" not in download["Content-Type"] and "\n" not in download["Content-Disposition"]
    assert "X-Injected" not in download
    if "content_type" in fields:
        assert download["Content-Type"] == "application/octet-stream"
    if "file_name" in fields:
        assert "/" not in download["Content-Disposition"].split("filename", 1)[1]
    staff = Client()
    staff.force_login(make_user(is_superuser=True, is_staff=True))
    in_admin = staff.get(reverse("admin:attachments_attachment_download", args=[attachment.sys_id]))
    assert in_admin.status_code == 200 and b"".join(in_admin.streaming_content) == CONTENT


# --- bodies without a length (Transfer-Encoding: chunked) -------------------------------------


def chunked(client, url: str, body: bytes, *, terminated: bool = True, content_type: str = "text/plain"):
    """A request as gunicorn hands a chunked one to the application: no CONTENT_LENGTH, the decoded
    body in ``wsgi.input``, which ends where the body does (``wsgi.input_terminated``)."""
    extra = {"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(body)}
    if terminated:
        extra["wsgi.input_terminated"] = True
    return client.generic("POST", url, b"", content_type=content_type, **extra)


def test_a_chunked_upload_is_read_to_its_end_and_stored_whole(writer, account, attachment_folder):
    body = bytes(range(256)) * 5000  # past the 1 MiB chunks the body is spooled in

    response = chunked(writer, raw_upload_url(account, "streamed.bin"), body)

    assert response.status_code == 201, response.content
    assert response.json()["result"]["size_bytes"] == str(len(body))
    assert response.json()["result"]["content_type"] == "text/plain"
    [stored] = stored_files(attachment_folder)
    assert stored.read_bytes() == body


def test_a_chunked_body_past_the_limit_is_refused_and_nothing_is_stored(writer, account, attachment_folder):
    with override_settings(ATTACHMENT_MAX_BYTES=1000):
        response = chunked(writer, raw_upload_url(account, "big.bin"), b"x" * 70_000)

    refused(response, "larger than")
    assert not Attachment.objects.exists() and stored_files(attachment_folder) == []


def test_a_chunked_body_to_a_server_that_cannot_end_it_is_411(writer, account, attachment_folder):
    response = chunked(writer, raw_upload_url(account, "a.bin"), CONTENT, terminated=False)

    assert response.status_code == 411
    assert response.json()["error"]["message"] == "Length Required"
    assert not Attachment.objects.exists() and stored_files(attachment_folder) == []


def test_a_chunked_json_body_is_read_too(writer):
    response = chunked(
        writer, "/api/now/table/customer_account", b'{"name": "Sent in chunks"}', content_type="application/json"
    )

    assert response.status_code == 201, response.content
    assert Account.objects.filter(name="Sent in chunks").exists()


# --- a full file store -------------------------------------------------------------------------


class FullDisk(FileSystemStorage):
    """Storage on a disk with no space left: every save fails as the operating system says."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_file_store_is_a_507_and_leaves_no_row(writer, account, settings):
    settings.STORAGES = {**settings.STORAGES, "attachments": {"BACKEND": f"{__name__}.FullDisk"}}

    response = writer.generic("POST", raw_upload_url(account, "a.txt"), CONTENT, content_type="text/plain")

    assert response.status_code == 507
    assert response.json() == {
        "error": {"message": "Insufficient Storage", "detail": "The file store has no space left; nothing was written"},
        "status": "failure",
    }
    assert not Attachment.objects.exists()

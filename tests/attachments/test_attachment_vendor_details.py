"""Attachment API details of the vendor's page: renaming (PATCH, 204), the metadata header on
downloads, the metadata keys every answer has, and a 400 for an upload naming no record."""

import json

import pytest

from contacts.models import Account
from csm_project.attachments.models import Attachment
from csm_project.core.models import SysAudit

BASE = "/api/now/attachment"
VENDOR_KEYS = ("compressed", "size_compressed", "image_width", "image_height", "average_image_color")


@pytest.fixture
def account(db):
    return Account.objects.create(name="Acme")


@pytest.fixture
def writer(client_for):
    return client_for("csm_ws_integration")


def upload(client, account, content=b"hello", *, file_name="notes.txt", content_type="text/plain"):
    url = f"{BASE}/file?table_name=customer_account&table_sys_id={account.sys_id}&file_name={file_name}"
    return client.generic("POST", url, content, content_type=content_type)


def test_patch_renames_with_204_and_no_body_and_is_audited(writer, account):
    sys_id = upload(writer, account).json()["result"]["sys_id"]

    response = writer.patch(f"{BASE}/{sys_id}", {"file_name": "renamed.txt"}, format="json")

    assert response.status_code == 204
    assert response.content == b""
    assert Attachment.objects.get(pk=sys_id).file_name == "renamed.txt"
    assert writer.get(f"{BASE}/{sys_id}").json()["result"]["file_name"] == "renamed.txt"
    downloaded = writer.get(f"{BASE}/{sys_id}/file")
    assert b"".join(downloaded.streaming_content) == b"hello"
    assert SysAudit.objects.filter(documentkey=sys_id, fieldname="file_name", newvalue="renamed.txt").exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"file_name": ""}, {"file_name": "a/b.txt"}, {"file_name": 7}],
)
def test_rename_refuses_a_missing_or_bad_name_with_400(writer, account, body):
    sys_id = upload(writer, account).json()["result"]["sys_id"]

    response = writer.patch(f"{BASE}/{sys_id}", body, format="json")

    assert response.status_code == 400
    assert response.json()["status"] == "failure"
    assert Attachment.objects.get(pk=sys_id).file_name == "notes.txt"


def test_rename_of_an_unknown_attachment_is_404(writer):
    response = writer.patch(f"{BASE}/{'a' * 32}", {"file_name": "x.txt"}, format="json")

    assert response.status_code == 404


def test_rename_needs_the_parent_tables_write_right(writer, client_for, account):
    sys_id = upload(writer, account).json()["result"]["sys_id"]
    outsider = client_for("interaction_agent")

    response = outsider.patch(f"{BASE}/{sys_id}", {"file_name": "mine.txt"}, format="json")

    assert response.status_code == 403
    assert Attachment.objects.get(pk=sys_id).file_name == "notes.txt"


def test_download_carries_the_metadata_header(writer, account):
    result = upload(writer, account).json()["result"]

    response = writer.get(f"{BASE}/{result['sys_id']}/file", {"sysparm_display_value": "all"})

    assert response.status_code == 200
    metadata = json.loads(response["X-Attachment-Metadata"])
    assert metadata == result  # the plain metadata, whatever the download's parameters
    assert metadata["file_name"] == "notes.txt" and metadata["size_bytes"] == "5"
    assert metadata["table_sys_id"] == account.sys_id


def test_metadata_has_the_vendors_keys(writer, account):
    created = upload(writer, account).json()["result"]
    sys_id = created["sys_id"]

    for result in (created, writer.get(f"{BASE}/{sys_id}").json()["result"], writer.get(BASE).json()["result"][0]):
        assert {key: result[key] for key in VENDOR_KEYS} == {
            "compressed": "false",
            "size_compressed": "",
            "image_width": "",
            "image_height": "",
            "average_image_color": "",
        }
    both = writer.get(f"{BASE}/{sys_id}", {"sysparm_display_value": "all"}).json()["result"]
    assert both["compressed"] == {"display_value": "false", "value": "false"}
    picked = writer.get(f"{BASE}/{sys_id}", {"sysparm_fields": "file_name,compressed"}).json()["result"]
    assert set(picked) == {"file_name", "compressed", "download_link"}


@pytest.mark.parametrize("query", ["table_name=customer_account&file_name=a.txt",
                                   "table_name=customer_account&table_sys_id=&file_name=a.txt"])  # fmt: skip
def test_upload_without_table_sys_id_is_400(writer, account, query):
    response = writer.generic("POST", f"{BASE}/file?{query}", b"x", content_type="text/plain")

    assert response.status_code == 400
    assert "table_sys_id" in json.dumps(response.json()["error"])
    assert not Attachment.objects.exists()


def test_upload_naming_an_unknown_record_is_still_404(writer, account):
    url = f"{BASE}/file?table_name=customer_account&table_sys_id={'b' * 32}&file_name=a.txt"

    response = writer.generic("POST", url, b"x", content_type="text/plain")

    assert response.status_code == 404


def test_multipart_upload_without_table_sys_id_is_400(writer, account):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = writer.post(
        f"{BASE}/upload",
        {"table_name": "customer_account", "uploadFile": SimpleUploadedFile("a.txt", b"x", "text/plain")},
        format="multipart",
    )

    assert response.status_code == 400


def test_rename_by_post_with_method_override(writer, account):
    sys_id = upload(writer, account).json()["result"]["sys_id"]

    response = writer.post(f"{BASE}/{sys_id}", {"file_name": "by-override.txt"}, format="json",
                           HTTP_X_HTTP_METHOD_OVERRIDE="PATCH")  # fmt: skip

    assert response.status_code == 204
    assert Attachment.objects.get(pk=sys_id).file_name == "by-override.txt"

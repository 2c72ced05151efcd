"""The attachments' object store (csm_project/attachments/object_store.py) against a real S3
endpoint (moto in server mode): memory stays flat both ways, and an attachment's object is
removed only once the deleting transaction commits."""

import hashlib
import os
import tempfile
import tracemalloc

import pytest
from botocore.exceptions import ClientError
from django.core.files import File
from django.db import transaction

from contacts.models import Account
from csm_project.attachments import services
from csm_project.attachments.models import Attachment
from tests.scaleout.parts import S3_BUCKET, S3_CREDENTIALS

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]

MIB = 1024 * 1024
PART = 5 * MIB


@pytest.fixture
def object_store(parts, settings):
    """The ``attachments`` storage is the S3 endpoint, in parts of 5 MiB."""
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "csm_project.attachments.object_store.AttachmentObjectStore",
            "OPTIONS": {
                "bucket_name": S3_BUCKET,
                "endpoint_url": parts.s3_url(),
                "region_name": "us-east-1",
                "access_key": S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                "secret_key": S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
                "part_bytes": PART,
                "location": "in-process",
            },
        },
    }
    store = services.storage()
    store.delete(store.save("warm-up", File(tempfile.TemporaryFile())))  # the client's models load once
    return store


def peak_bytes(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_uploads_and_downloads_hold_a_few_parts_in_memory_whatever_the_size(object_store):
    size = 12 * PART
    spooled = tempfile.TemporaryFile()
    digest = hashlib.sha256()
    for _ in range(size // MIB):
        block = os.urandom(MIB)
        digest.update(block)
        spooled.write(block)
    spooled.seek(0)
    names = []
    assert peak_bytes(lambda: names.append(object_store.save("ab/big", File(spooled)))) < 4 * PART  # a fifth of it

    read = hashlib.sha256()

    def download() -> None:
        with object_store.open(names[0], "rb") as stored:
            for chunk in stored.chunks(MIB):
                read.update(chunk)

    assert peak_bytes(download) < 4 * MIB
    assert read.hexdigest() == digest.hexdigest()
    object_store.delete(names[0])


def stored(name: str) -> bool:
    try:
        services.storage().bucket.Object(services.storage()._normalize_name(name)).load()
    except ClientError as error:
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 404
        return False
    return True


def test_an_object_is_removed_only_when_the_delete_commits(object_store, make_user, django_capture_on_commit_callbacks):
    user = make_user(is_superuser=True)
    account = Account.objects.create(name="files kept until commit")
    attachment = services.attachment_add_stream(
        user=user, table_name="customer_account", table_sys_id=account.sys_id, file_name="a.txt",
        content_type="text/plain", chunks=[b"kept ", b"until commit"],
    )  # fmt: skip
    assert stored(attachment.stored_name)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.attachment_delete(user=user, attachment=attachment)
            raise RuntimeError("the delete rolls back")
    assert stored(attachment.stored_name) and Attachment.objects.filter(pk=attachment.pk).exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.attachment_delete(user=user, attachment=attachment)
        assert stored(attachment.stored_name)  # not before the commit
    for callback in callbacks:
        callback()
    assert not stored(attachment.stored_name) and not Attachment.objects.filter(pk=attachment.pk).exists()

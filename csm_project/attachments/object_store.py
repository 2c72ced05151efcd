"""Attachments in an S3-compatible object store (``ATTACHMENT_S3_BUCKET``, docs/deployment.md).

django-storages' ``S3Storage`` with two changes, so memory stays flat whatever a file's size:

- Reading: ``open(name, "rb")`` gives the object's body as it arrives from the store, read in
  the caller's chunks. (``S3Storage``'s own file downloads the whole object before the first
  read, into memory unless ``max_memory_size`` is set.)
- Writing: the spooled upload goes up in parts of ``multipart_chunksize`` bytes once it is larger
  than ``multipart_threshold``, at most ``max_concurrency`` parts in flight and
  ``max_in_memory_upload_chunks`` read ahead, so an upload holds a few parts in memory at most.

Names are fresh sys_ids, so nothing is overwritten and no existence check is asked for.
Credentials come from the usual AWS sources (``AWS_ACCESS_KEY_ID`` and ``AWS_SECRET_ACCESS_KEY``
in the environment, a profile, an instance role); they are never in the settings module.
"""

from __future__ import annotations

from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from django.core.files import File
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

PART_BYTES = 8 * 1024 * 1024


class AttachmentObjectStore(S3Storage):
    def __init__(self, **settings) -> None:
        settings.setdefault("file_overwrite", True)
        settings.setdefault(
            "transfer_config",
            TransferConfig(
                multipart_threshold=PART_BYTES,
                multipart_chunksize=PART_BYTES,
                max_concurrency=2,
                max_in_memory_upload_chunks=2,
            ),
        )
        super().__init__(**settings)

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        try:
            body = self.bucket.Object(key).get()["Body"]
        except ClientError as err:
            if err.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"No stored object {key}") from None
            raise
        return File(body, name=name)

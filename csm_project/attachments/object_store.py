"""Attachments in an S3-compatible object store (``ATTACHMENT_S3_BUCKET``, docs/deployment.md).

django-storages' ``S3Storage`` with two changes, so memory stays flat whatever a file's size:

- Reading: ``open(name, "rb")`` gives the object's body as it arrives from the store, read in
  the caller's chunks. (``S3Storage``'s own file downloads the whole object before the first
  read, into memory unless ``max_memory_size`` is set.)
- Writing: the spooled upload goes up in parts of ``part_bytes`` (an option, 8 MiB by default;
  S3 takes no part under 5 MiB) once it is larger than that, two parts in flight and two read
  ahead: an upload holds about three parts in memory, whatever the file's size.

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
        part_bytes = settings.pop("part_bytes", PART_BYTES)
        if "transfer_config" not in settings:
            config = TransferConfig(multipart_threshold=part_bytes, multipart_chunksize=part_bytes, max_concurrency=2)
            config.max_in_memory_upload_chunks = 2  # s3transfer's own knob, which boto3 does not take as an argument
            settings["transfer_config"] = config
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

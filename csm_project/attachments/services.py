"""Attaching files to records, reading and deleting them: the rules, once.

- Rights are those of the parent record's table (the table access rules): its read right to
  list, see or download an attachment, its write right to add or delete one.
- A file name is refused (400) when it is empty, ``.`` or ``..``, or holds ``/``, ``\\`` or a
  control character; a content type when it is not ``type/subtype`` with optional parameters
  (a CR LF in one would break every later download). Both are checked before the body is read.
  Rows stored before these checks are still downloaded safely (``download_content_type``,
  ``download_file_name``).
- Content goes to the ``attachments`` storage (``settings.STORAGES``: a folder by default, any
  Django storage backend by configuration). It is taken in chunks, spooled to a temporary file
  while its SHA-256 and size are computed, and only then stored, so memory stays flat whatever
  the file's size and a file over ``ATTACHMENT_MAX_BYTES`` leaves nothing behind. The spool
  file has no name on disk (``spool_file``): a worker killed mid-upload leaves nothing.
- A record's attachments go with it: every registry model's deletion (``record_delete``, the
  admin, any ORM delete) removes its attachment rows, and the stored files once the deleting
  transaction commits. (A file is stored before its row is written; should the surrounding
  transaction roll back afterwards, the file stays behind unreferenced.)
- Attaching to ``sys_journal_field`` or ``sys_audit`` records is refused: their deletes are not
  watched.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterable

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete

from csm_project.attachments.images import HEAD_BYTES, image_size
from csm_project.attachments.models import Attachment
from csm_project.core.access.role_names import ADMIN
from csm_project.core.access.rows import READ, UPDATE, row_filter, rows_for
from csm_project.core.access.table_access import table_access_allows
from csm_project.core.errors import TOO_LONG, DomainError, RecordMissing
from csm_project.core.models import SysRecord, TableAccess, is_sys_id
from csm_project.core.records.services import record_update
from csm_project.registry import TableSpec, UnknownTable, all_tables, get_table

CHUNK_BYTES = 1024 * 1024
DEFAULT_CONTENT_TYPE = "application/octet-stream"
MAX_NAME = 255
# RFC 9110 media type: type "/" subtype *( ";" parameter ), a parameter token "=" (token / quoted).
_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_MEDIA_TYPE = re.compile(
    rf'{_TCHARS}/{_TCHARS}(?:[ \t]*;[ \t]*{_TCHARS}=(?:{_TCHARS}|"(?:[^"\\\x00-\x1f\x7f]|\\[^\x00-\x1f\x7f])*"))*[ \t]*'
)
# C0 and C1 control characters, DEL, path separators.
_BAD_NAME_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f/\\]")
ATTACHMENT_TABLE = Attachment.sys_table
# Logs nobody attaches files to: their bulk deletes stay single statements (a delete signal
# makes Django load each deleted row).
NO_ATTACHMENTS = frozenset({ATTACHMENT_TABLE, "sys_journal_field", "sys_audit"})


class NoRights(DomainError):
    kind = "forbidden"


def storage():
    return storages["attachments"]


# --- rights ------------------------------------------------------------------------------------


def may_read(user, table: str) -> bool:
    return table_access_allows(user=user, table=table, write=False)


def may_write(user, table: str) -> bool:
    return table_access_allows(user=user, table=table, write=True)


def readable_tables(user) -> set[str] | None:
    """The tables whose attachments ``user`` may see; ``None`` means every table (admin)."""
    if user.has_role(ADMIN):
        return None
    names = user.role_names()
    rows = TableAccess.objects.values_list("table", "read_roles__name")
    return {table for table, role in rows if role is not None and role in names}


def attachments_for(user) -> QuerySet:
    """The attachments ``user`` may see: those on records of tables it may read, and of a table
    it reaches only in part (row rules), those on the rows it reaches."""
    queryset = Attachment.objects.all()
    tables = readable_tables(user)
    if tables is None:
        return queryset
    whole = sorted(table for table in tables if row_filter(user, table, READ) is None)
    condition = Q(table_name__in=whole)
    for table in sorted(tables.difference(whole)):
        parents = rows_for(get_table(table).model.objects.all(), user, READ, table=table).values("pk")
        condition |= Q(table_name=table, table_sys_id__in=parents)
    return queryset.filter(condition)


def parent_reachable(user, attachment: Attachment, operation: str = READ) -> bool:
    """Whether ``user`` reaches the record ``attachment`` is on (for reading or, to add or delete
    attachments, updating it); an attachment on a row it cannot reach does not exist for it."""
    if row_filter(user, attachment.table_name, operation) is None:
        return True
    try:
        model = get_table(attachment.table_name).model
    except UnknownTable:
        return False
    return rows_for(model.objects.filter(pk=attachment.table_sys_id), user, operation).exists()


def check_read(user, attachment: Attachment) -> None:
    if not may_read(user, attachment.table_name):
        raise NoRights("Insufficient rights to query records")


def check_write(user, attachment: Attachment) -> None:
    if not may_write(user, attachment.table_name):
        raise NoRights("Insufficient rights to delete records")


# --- adding --------------------------------------------------------------------------------------


def _parent_table(table_name: str) -> TableSpec:
    if not table_name:
        raise DomainError("table_name is required", field="table_name")
    try:
        table = get_table(table_name)
    except UnknownTable as exc:
        raise DomainError(exc.message, field="table_name") from None
    if table.name in NO_ATTACHMENTS or table.derived:
        raise DomainError(f"Records of {table.name} cannot have attachments", field="table_name")
    return table


def check_can_add(
    *, user, table_name: str, table_sys_id: str, file_name: str, content_type: str, declared_size: int | None
) -> tuple[str, str]:
    """Everything about an upload that can be checked before its body is read; the file name and
    content type to store."""
    table = _parent_table(table_name)
    if not may_write(user, table.name):
        raise NoRights("Insufficient rights to create records")
    if not table_sys_id:
        raise DomainError("table_sys_id is required", field="table_sys_id")  # a 400, not a missing record
    parents = rows_for(table.model.objects.filter(pk=table_sys_id), user, UPDATE) if is_sys_id(table_sys_id) else None
    if parents is None or not parents.exists():
        raise RecordMissing(f"No {table.name} record {table_sys_id[:40]!r}", field="table_sys_id")
    name = clean_file_name(file_name)
    media_type = clean_content_type(content_type)
    if declared_size is not None and declared_size > settings.ATTACHMENT_MAX_BYTES:
        raise _too_large()
    return name, media_type


def clean_file_name(file_name: str) -> str:
    """The name to store, or ``DomainError``: a file name, not a path, in printable characters."""
    name = (file_name or "").strip()
    if not name:
        raise DomainError("file_name is required", field="file_name")
    if name in (".", "..") or _BAD_NAME_CHARACTER.search(name):
        raise DomainError(
            "file_name must be a file name: not . or .., without / or \\ or control characters", field="file_name"
        )
    if len(name) > MAX_NAME:
        raise DomainError(f"file_name is longer than {MAX_NAME} characters", field="file_name")
    return name


def clean_content_type(content_type: str) -> str:
    """The content type to store (``application/octet-stream`` when none is given), or
    ``DomainError`` for anything that is not a media type."""
    value = (content_type or "").strip()
    if not value:
        return DEFAULT_CONTENT_TYPE
    if len(value) > MAX_NAME or not _MEDIA_TYPE.fullmatch(value):
        raise DomainError("Content-Type must be a media type such as application/pdf", field="content_type")
    return value


def download_content_type(attachment: Attachment) -> str:
    """The type to send the content with: the stored one, or ``application/octet-stream`` for a
    row stored before content types were checked that holds something else."""
    value = attachment.content_type or ""
    return value if len(value) <= MAX_NAME and _MEDIA_TYPE.fullmatch(value) else DEFAULT_CONTENT_TYPE


def download_file_name(attachment: Attachment) -> str:
    """The name to offer the content under: control characters and separators of a row stored
    before names were checked become ``_`` (a name of dots, or none, becomes ``attachment``)."""
    name = _BAD_NAME_CHARACTER.sub("_", attachment.file_name or "").strip()
    return name if name.strip(".") else "attachment"


def _too_large() -> DomainError:
    return DomainError(
        f"The file is larger than the limit of {settings.ATTACHMENT_MAX_BYTES} bytes", field="file", code=TOO_LONG
    )


def attachment_add_stream(
    *, user, table_name: str, table_sys_id: str, file_name: str, content_type: str, chunks: Iterable[bytes],
    declared_size: int | None = None,
) -> Attachment:  # fmt: skip
    """Attach the bytes of ``chunks`` (read one at a time) to the record."""
    file_name, content_type = check_can_add(
        user=user, table_name=table_name, table_sys_id=table_sys_id, file_name=file_name, content_type=content_type,
        declared_size=declared_size,
    )  # fmt: skip
    limit = settings.ATTACHMENT_MAX_BYTES
    with spool_file() as spooled:
        digest, size = hashlib.sha256(), 0
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise _too_large()
            digest.update(chunk)
            spooled.write(chunk)
        spooled.flush()
        spooled.seek(0)
        return _store(table_name, table_sys_id, file_name, content_type, File(spooled), size, digest.hexdigest())


def attachment_add_file(*, user, table_name: str, table_sys_id: str, file_name: str, content_type: str, upload: File):
    """Attach an uploaded file (a multipart part Django has already spooled)."""
    file_name, content_type = check_can_add(
        user=user, table_name=table_name, table_sys_id=table_sys_id, file_name=file_name, content_type=content_type,
        declared_size=upload.size,
    )  # fmt: skip
    digest = hashlib.sha256()
    for chunk in upload.chunks(CHUNK_BYTES):
        digest.update(chunk)
    upload.seek(0)
    return _store(table_name, table_sys_id, file_name, content_type, upload, upload.size, digest.hexdigest())


def spool_file():
    """A temporary file for content on its way to storage, in ``FILE_UPLOAD_TEMP_DIR`` (the
    system's temporary folder by default) and without a name there: the operating system removes
    it when it is closed, or when its process dies mid-upload (a worker killed by a timeout)."""
    return tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)


class SpooledUpload(UploadedFile):
    """A multipart file part spooled to a ``spool_file`` (see ``UnnamedTemporaryFileUploadHandler``)."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        super().__init__(spool_file(), name, content_type, size, charset, content_type_extra)


def _store(table_name, table_sys_id, file_name, content_type, content: File, size: int, sha256: str) -> Attachment:
    content.seek(0)
    dimensions = image_size(content.read(HEAD_BYTES)) or (None, None)
    content.seek(0)
    attachment = Attachment(
        image_width=dimensions[0],
        image_height=dimensions[1],
        file_name=file_name,
        content_type=content_type,
        size_bytes=size,
        table_name=table_name,
        table_sys_id=table_sys_id,
        hash=sha256,
    )
    name = f"{attachment.sys_id[:2]}/{attachment.sys_id}"
    attachment.stored_name = storage().save(name, content)
    try:
        with transaction.atomic():
            attachment.save(force_insert=True)
    except BaseException:
        storage().delete(attachment.stored_name)
        raise
    return attachment


# --- reading and deleting ------------------------------------------------------------------------


def attachment_get(*, sys_id: str, user=None, operation: str = READ) -> Attachment:
    """The attachment, if ``user`` (``None``: the system) reaches the record it is on."""
    attachment = Attachment.objects.filter(pk=sys_id).first() if is_sys_id(sys_id) else None
    if attachment is None or (user is not None and not parent_reachable(user, attachment, operation)):
        raise RecordMissing("No attachment found")
    return attachment


def attachment_open(attachment: Attachment) -> File:
    """The stored content, opened for reading in chunks."""
    return storage().open(attachment.stored_name, "rb")


def attachment_rename(*, user, attachment: Attachment, file_name) -> Attachment:
    """Give ``attachment`` a new file name (the content stays where it is), through the record
    services like any other write, so the change is audited. Needs the parent table's write right."""
    if not may_write(user, attachment.table_name):
        raise NoRights("Insufficient rights to update records")
    if not isinstance(file_name, str):
        raise DomainError("file_name must be a string", field="file_name")
    return record_update(instance=attachment, values={"file_name": clean_file_name(file_name)})


def attachment_delete(*, user, attachment: Attachment) -> None:
    check_write(user, attachment)
    with transaction.atomic():
        _delete_rows(Attachment.objects.filter(pk=attachment.pk))


def attachments_delete_for(*, table: str, sys_ids: Iterable[str], using: str = "default") -> None:
    """Delete the attachments of the given records (rows now, files when the transaction commits)."""
    _delete_rows(Attachment.objects.using(using).filter(table_name=table, table_sys_id__in=list(sys_ids)), using)


def _delete_rows(rows, using: str = "default") -> None:
    rows.delete()  # each row's file goes when the transaction commits (``_attachment_deleted``)


def _attachment_deleted(sender, instance, using, **kwargs) -> None:
    name = instance.stored_name
    if name:
        # Robust: the rows are gone whatever happens, so a store that fails here leaves an
        # unreferenced object (logged) rather than failing a deletion that has committed.
        transaction.on_commit(lambda: storage().delete(name), using=using, robust=True)


def _parent_deleted(sender, instance, using, **kwargs) -> None:
    attachments_delete_for(table=sender.sys_table, sys_ids=[instance.pk], using=using)


def connect_parent_deletes() -> None:
    """Every registry table's deletes take the deleted records' attachments with them."""
    post_delete.connect(_attachment_deleted, sender=Attachment, dispatch_uid="attachment-files")
    for table in all_tables().values():
        model = table.model
        if table.name in NO_ATTACHMENTS or table.derived or not issubclass(model, SysRecord):
            continue  # derived tables (sys_dictionary, ...) are rewritten by migrate and hold no files
        post_delete.connect(_parent_deleted, sender=model, dispatch_uid=f"attachments-of-{table.name}")

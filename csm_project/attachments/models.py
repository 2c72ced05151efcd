"""``sys_attachment``: one file attached to one record of any table."""

from django.db import models

from csm_project.core.models import SysRecord


class Attachment(SysRecord):
    """Metadata of a file whose content lives in the ``attachments`` storage under ``stored_name``.

    The parent record is named by table and sys_id (a record of any table may have files), so
    the parent's deletion removes its attachments through a signal, not a foreign key.
    """

    sys_table = "sys_attachment"
    sys_display_field = "file_name"
    sys_api_exclude = ("stored_name",)

    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    size_bytes = models.BigIntegerField(default=0)
    table_name = models.CharField(max_length=80)
    table_sys_id = models.CharField(max_length=32)
    hash = models.CharField(max_length=64, help_text="SHA-256 of the content, hexadecimal")
    image_width = models.PositiveIntegerField(null=True, blank=True, help_text="Pixels, for a PNG, GIF or JPEG file")
    image_height = models.PositiveIntegerField(null=True, blank=True, help_text="Pixels, for a PNG, GIF or JPEG file")
    stored_name = models.CharField(max_length=255, editable=False)

    class Meta:
        db_table = "sys_attachment"
        indexes = [models.Index(fields=["table_name", "table_sys_id"], name="sys_attachment_parent")]

    def __str__(self) -> str:
        return self.file_name

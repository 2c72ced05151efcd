"""``{% record_attachments record %}``: the attachments panel of one record's admin page."""

from django import template

from csm_project.attachments.admin import download_url
from csm_project.attachments.models import Attachment

register = template.Library()


@register.inclusion_tag("admin/attachments/panel.html")
def record_attachments(record) -> dict:
    attachments = list(
        Attachment.objects.filter(table_name=record.sys_table, table_sys_id=record.pk).order_by("sys_created_on")
    )
    for attachment in attachments:
        attachment.download_url = download_url(attachment)
    return {"attachments": attachments}

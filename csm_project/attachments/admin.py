"""Staff see attachments: a read-only list of the files of the records they may view, and a
panel on each record's page.

The panel (``templates/admin/attachments/record_change_form.html``) is added to the change page
of every registry table's admin by ``add_record_panels`` (run once the admin has loaded every
app's registrations); each file links to its download, which streams the stored content to
staff who may view attachments and the parent record. Files come through the API; staff who may
delete attachments (managers) remove them here, through the record services (the stored file
goes when the deletion commits).
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html

from csm_project.attachments import services
from csm_project.attachments.models import Attachment
from csm_project.core.access.staff_roles import tables_filter, viewable_tables
from csm_project.core.admin import SysRecordAdmin
from csm_project.core.errors import RecordMissing
from csm_project.core.models import SysRecord

PANEL_TEMPLATE = "admin/attachments/record_change_form.html"


def download_url(attachment: Attachment) -> str:
    return reverse("admin:attachments_attachment_download", args=[attachment.pk])


@admin.register(Attachment)
class AttachmentAdmin(SysRecordAdmin):
    list_display = ("file_name", "table_name", "table_sys_id", "size_bytes", "content_type", "sys_created_on", "link")
    list_filter = ("table_name",)
    search_fields = ("file_name", "table_sys_id")
    readonly_fields = [field.name for field in Attachment._meta.fields if field.name != "stored_name"] + ["link"]
    exclude = ("stored_name",)
    journal = False

    def get_queryset(self, request):
        tables = viewable_tables(request.user)
        return super().get_queryset(request).filter(**tables_filter(tables, "table_name"))

    def has_add_permission(self, request) -> bool:
        return False  # files come through the API

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Download")
    def link(self, attachment: Attachment) -> str:
        return format_html('<a href="{}">Download</a>', download_url(attachment))

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_view)
        return [path("<str:sys_id>/download/", download, name="attachments_attachment_download"), *super().get_urls()]

    def download_view(self, request, sys_id: str) -> FileResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            attachment = services.attachment_get(sys_id=sys_id)
        except RecordMissing:
            raise Http404("No such attachment") from None
        tables = viewable_tables(request.user)
        if tables is not None and attachment.table_name not in tables:
            raise PermissionDenied
        response = FileResponse(
            services.attachment_open(attachment),
            content_type=services.download_content_type(attachment),
            as_attachment=True,
            filename=services.download_file_name(attachment),
        )
        response["Content-Length"] = str(attachment.size_bytes)
        return response


def add_record_panels(site: admin.AdminSite = admin.site) -> None:
    """Show the attachments panel on the change page of every registry record's admin."""
    for model, model_admin in site._registry.items():
        if issubclass(model, SysRecord) and model is not Attachment and model_admin.change_form_template is None:
            model_admin.change_form_template = PANEL_TEMPLATE

"""``/api/now[/v1]/attachment`` routes (the fixed ``file`` and ``upload`` names before ``{sys_id}``)."""

from django.urls import re_path

from csm_project.api.routing import VERSION_SEGMENT
from csm_project.attachments.api.views import AttachmentViewSet

_BASE = rf"^now/{VERSION_SEGMENT}attachment"

urlpatterns = [
    re_path(rf"{_BASE}/?$", AttachmentViewSet.as_view({"get": "list"}), name="attachment-list"),
    re_path(rf"{_BASE}/file/?$", AttachmentViewSet.as_view({"post": "upload_raw"}), name="attachment-file"),
    re_path(rf"{_BASE}/upload/?$", AttachmentViewSet.as_view({"post": "upload_multipart"}), name="attachment-upload"),
    re_path(
        rf"{_BASE}/(?P<sys_id>[^/]+)/?$",
        AttachmentViewSet.as_view({"get": "retrieve", "patch": "rename", "delete": "destroy"}),
        name="attachment-detail",
    ),
    re_path(
        rf"{_BASE}/(?P<sys_id>[^/]+)/file/?$", AttachmentViewSet.as_view({"get": "download"}), name="attachment-content"
    ),
]

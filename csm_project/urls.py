"""Root URLs: the staff admin, each app's API, and the envelope for unknown API URLs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from csm_project.api.schema_views import ApiDocsView, ApiSchemaView
from csm_project.api.views import UnknownContactCenterResourceView, UnknownResourceView
from csm_project.core.admin.imports import import_preview, import_start
from csm_project.ops.views import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/import/", admin.site.admin_view(import_start), name="admin_import"),
    path("admin/import/<uuid:upload>/", admin.site.admin_view(import_preview), name="admin_import_preview"),
    path("admin/", admin.site.urls),
    path("api/", include("contacts.api.urls")),
    path("api/", include("interactions.api.urls")),
    path("api/", include("leads.api.urls")),
    path("api/", include("cases.api.urls")),
    path("api/", include("csm_project.table_api.urls")),
    path("api/", include("csm_project.batch_api.urls")),
    path("api/", include("csm_project.aggregate_api.urls")),
    path("api/", include("csm_project.attachments.api.urls")),
    path("api/", include("csm_project.import_sets.api.urls")),
    path("api/schema/", ApiSchemaView.as_view(), name="api-schema"),
    path("api/docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^api/v2/contacts(?:/.*)?$", UnknownContactCenterResourceView.as_view()),
    re_path(r"^api(?:/.*)?$", UnknownResourceView.as_view()),
]

if settings.METRICS_ENABLED:
    from csm_project.ops.metrics import metrics_view

    urlpatterns.insert(0, path("metrics", metrics_view, name="metrics"))

handler500 = "csm_project.api.views.server_error"

admin.site.site_header = "CSM Platform"
admin.site.site_title = "CSM Platform admin"

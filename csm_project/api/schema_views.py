"""``/api/schema/`` (the OpenAPI document) and ``/api/docs/`` (Swagger UI over it).

Both are public by default: the document describes the published contract and holds no data,
and the explorer's try-it-out still sends the caller's Basic credentials to the APIs, which
check them as always. ``API_DOCS_PUBLIC=false`` makes both need a signed-in user (Basic or an
admin session), as the platform's own REST API Explorer does. The explorer's scripts and styles
are static files of this instance (drf-spectacular-sidecar), so it works with no internet access.
"""

from django.conf import settings
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from csm_project.api.permissions import IsAuthenticatedUser
from csm_project.api.renderers import PlatformJSONRenderer


class _DocsAccess:
    schema = None  # not operations of the API: left out of the document

    def get_permissions(self):
        return [AllowAny() if settings.API_DOCS_PUBLIC else IsAuthenticatedUser()]

    def get_authenticators(self):
        if settings.API_DOCS_PUBLIC:
            return []
        return super().get_authenticators()

    def handle_exception(self, exc):
        """Refusals (401, 405, ...) in the API's JSON envelope, not as an HTML or YAML page."""
        response = super().handle_exception(exc)
        self.request.accepted_renderer = PlatformJSONRenderer()
        self.request.accepted_media_type = PlatformJSONRenderer.media_type
        return response


class ApiSchemaView(_DocsAccess, SpectacularAPIView):
    """JSON unless the client asks for YAML (``Accept: application/yaml``)."""

    renderer_classes = [OpenApiJsonRenderer2, OpenApiJsonRenderer, OpenApiYamlRenderer, OpenApiYamlRenderer2]


class ApiDocsView(_DocsAccess, SpectacularSwaggerView):
    title = "CSM Platform API explorer"

"""A test-only endpoint family mounted like a real one, to exercise the shared plumbing."""

from django.urls import include, path
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from csm_project.api.pagination import SysparmPagination
from csm_project.api.parsers import PlatformJSONParser, PlatformXMLParser
from csm_project.api.renderers import PlatformJSONRenderer, PlatformXMLRenderer
from csm_project.api.routing import PlatformRouter
from csm_project.api.views import NowViewSet
from csm_project.core.models import Role
from csm_project.urls import urlpatterns as project_urlpatterns


class RoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["sys_id", "name"]


class RoleProbeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, NowViewSet):
    queryset = Role.objects.order_by("name")
    serializer_class = RoleSerializer
    pagination_class = SysparmPagination
    default_limit = 2
    required_roles = {"GET": ("csm_ws_integration",), "POST": ("interaction_agent",)}
    renderer_classes = [PlatformJSONRenderer, PlatformXMLRenderer]
    parser_classes = [PlatformJSONParser, PlatformXMLParser]

    def create(self, request, *args, **kwargs):
        return Response({"result": request.data}, status=201)

    def destroy(self, request, *args, **kwargs):
        """Served, but no role is declared for DELETE: nobody may call it."""
        return Response(status=204)

    @action(detail=False, methods=["get"])
    def explode(self, request, *args, **kwargs):
        raise RuntimeError("secret internal detail")

    @action(detail=False, methods=["post"], url_path="write-then-refuse")
    def write_then_refuse(self, request, *args, **kwargs):
        """Writes a role, then answers 409 without raising: only the caller's transaction
        handling can undo the write."""
        Role.objects.create(name=str(request.data.get("name", "written-then-refused")))
        return Response({"error": {"message": "Refused after writing", "detail": None}, "status": "failure"}, 409)


router = PlatformRouter()
router.register("probe", RoleProbeViewSet, basename="probe")

urlpatterns = [path("api/now/", include(router.urls)), *project_urlpatterns]

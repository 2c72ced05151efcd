"""Interaction API (docs/interaction-api.md, role ``interaction_agent``): create and close interactions.

``POST /api/now[/v1]/interaction`` creates (201); ``POST /api/now[/v1]/interaction/{id}/close``
closes (200). JSON or XML in and out. The close call of the vendor document sends a JSON
Content-Type with no body, so its body is never read.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from csm_project.api.parsers import PlatformJSONParser, PlatformXMLParser
from csm_project.api.renderers import PlatformJSONRenderer, PlatformXMLRenderer
from csm_project.api.views import NowViewSet
from csm_project.core.access.role_names import INTERACTION_AGENT
from csm_project.core.errors import DomainError
from interactions.api.serializers import (
    InteractionCreateSerializer,
    InteractionResultSerializer,
    interaction_create_params,
    interaction_refusal,
    interaction_result,
)
from interactions.models import Interaction
from interactions.services import interaction_close, interaction_create

_RESULT = inline_serializer("InteractionResult", {"result": InteractionResultSerializer()})


class InteractionViewSet(NowViewSet):
    openapi_tag = "Interaction API"
    queryset = Interaction.objects.none()  # no list or read endpoint; services do the reads
    required_roles = (INTERACTION_AGENT,)
    renderer_classes = [PlatformJSONRenderer, PlatformXMLRenderer]
    parser_classes = [PlatformJSONParser, PlatformXMLParser]
    lookup_url_kwarg = "interaction_id"

    def refusal(self, error: DomainError) -> Exception:
        return interaction_refusal(error)

    @extend_schema(request=InteractionCreateSerializer, responses={201: _RESULT})
    def create(self, request, *args, **kwargs) -> Response:
        params = interaction_create_params(request.data)
        interaction = interaction_create(**params, opened_by=request.user)  # refused: ``refusal``
        return Response({"result": interaction_result(interaction)}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=_RESULT)
    @action(detail=True, methods=["post"])
    def close(self, request, *args, interaction_id: str, **kwargs) -> Response:
        interaction = interaction_close(interaction_id=interaction_id, closed_by=request.user)
        return Response({"result": interaction_result(interaction)})

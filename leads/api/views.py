"""Lead API views (docs/lead-api.md): ``/api/sn_lead_mgmt_core[/v1]/lead[/<sys_id>]``.

Thin adapters: each action asks ``lead_api_processor`` (the replaceable classes (docs/lead-api.md) chosen by the
``LEAD_API`` setting) to do the work and returns what it gives. Bodies are bare (no
``result`` wrapper): a list is a JSON array paged as docs/lead-api.md says, a lead is a JSON object.
"""

from functools import cached_property

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from csm_project.api.errors import ApiError
from csm_project.api.filters import EncodedQueryFilter
from csm_project.api.renderers import PlainJSONRenderer
from csm_project.api.views import NowViewSet
from csm_project.core.access.role_names import LEAD_INTEGRATOR
from csm_project.core.errors import DomainError
from csm_project.core.records.field_paths import requested_fields
from leads.api.openapi import LeadInputSerializer, LeadListItemSerializer, LeadShapeSerializer
from leads.api.pagination import LeadPagination
from leads.models import LEAD_TABLE
from leads.processing import LeadApiConstants, LeadApiProcessor, lead_api_processor
from leads.selectors import LEAD_LIST_ORDER


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "sysparm_fields",
                str,
                description="Fields to answer, comma-separated; dot-walks allowed (owner.user_name)",
            )
        ],
        responses=LeadListItemSerializer(many=True),
    ),
    retrieve=extend_schema(responses=LeadShapeSerializer),
    create=extend_schema(request=LeadInputSerializer, responses={201: LeadShapeSerializer}),
    partial_update=extend_schema(request=LeadInputSerializer, responses=LeadShapeSerializer),
)
class LeadViewSet(NowViewSet):
    """GET list, GET one, POST, PATCH. PUT and DELETE are not served (405)."""

    openapi_tag = "Lead API"
    required_roles = (LEAD_INTEGRATOR,)
    sys_table = LEAD_TABLE
    filter_backends = [EncodedQueryFilter]
    default_ordering = LEAD_LIST_ORDER
    pagination_class = LeadPagination
    renderer_classes = [PlainJSONRenderer]

    @cached_property
    def processor(self) -> LeadApiProcessor:
        return lead_api_processor(user=self.request.user)

    @property
    def lead_constants(self) -> LeadApiConstants:
        return self.processor.constants

    def list(self, request, *args, **kwargs) -> Response:
        fields = requested_fields(request.query_params.get("sysparm_fields"))
        queryset = self.filter_queryset(self.processor.list_queryset(fields))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.processor.retrieve_many(page, fields=fields))

    def retrieve(self, request, pk: str, *args, **kwargs) -> Response:
        return Response(self.processor.retrieve(pk))

    def create(self, request, *args, **kwargs) -> Response:
        return Response(self.processor.create(request.data), status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk: str, *args, **kwargs) -> Response:
        return Response(self.processor.update(pk, request.data))

    def refusal(self, error: DomainError) -> Exception:
        """A refused write is a 400 whose detail is the list of single-key objects
        ``[{"<field>": "<message>"}, ...]`` (an unknown lead stays the usual 404)."""
        return ApiError(self.lead_constants.INVALID_PAYLOAD, self.processor.validator.detail(error.errors), code=2)

"""The CSM Contact API (docs/contact-api.md): ``/api/now/contact`` and ``/api/now/v1/contact``."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from contacts.api.serializers import ContactInputSerializer, ContactOutputSerializer, error_detail
from contacts.selectors import contact_get, contact_ids_in_list_order, contact_list, contacts_by_sys_ids
from contacts.services import SocialProfileRequest, contact_create
from csm_project.api.errors import ApiError, BadRequestBody, RecordNotFound
from csm_project.api.filters import EncodedQueryFilter, lists_everything
from csm_project.api.pagination import SysparmPagination
from csm_project.api.parsers import PlatformJSONParser, body_is_empty
from csm_project.api.renderers import PlatformJSONRenderer, PlatformXMLRenderer
from csm_project.api.views import NowViewSet
from csm_project.core.access.role_names import CSM_WS_INTEGRATION
from csm_project.core.errors import DomainError

OPERATION_FAILED = "Operation Failed"


class ContactViewSet(NowViewSet):
    """``GET`` list (JSON or XML), ``GET /{id}`` (JSON or XML), ``POST`` (JSON only).

    The list pages with ``sysparm_limit`` (default 10) / ``sysparm_offset`` and filters and orders
    with ``sysparm_query``; without an ORDERBY it is in creation order, and every order ends with a
    ``sys_id`` tiebreak, so offset paging never repeats nor skips a contact.
    """

    openapi_tag = "Contact API"
    sys_table = "customer_contact"
    required_roles = (CSM_WS_INTEGRATION,)
    serializer_class = ContactOutputSerializer
    filter_backends = [EncodedQueryFilter]
    pagination_class = SysparmPagination
    default_limit = 10
    parser_classes = [PlatformJSONParser]

    def refusal(self, error: DomainError) -> Exception:
        """A refused create: ``Operation Failed``, every message by field."""
        messages: dict[str, list[str]] = {}
        for field_error in error.errors:
            messages.setdefault(field_error.field, []).append(field_error.message)
        return ApiError(OPERATION_FAILED, error_detail(messages))

    def get_queryset(self):
        return contact_list()

    def get_renderers(self):
        # The seed offers XML on GET only; a POST asking for XML is a 406.
        if self.request is not None and self.request.method in ("GET", "HEAD"):
            return [PlatformJSONRenderer(), PlatformXMLRenderer()]
        return [PlatformJSONRenderer()]

    def list(self, request, *args, **kwargs) -> Response:
        # Filter, order and page the sys_ids only, then load the page's records (see contact_list).
        sys_ids = self.paginate_queryset(self.filter_queryset(self.get_queryset()).values_list("pk", flat=True))
        contacts = contacts_by_sys_ids(sys_ids=sys_ids)
        return self.get_paginated_response(self.get_serializer(contacts, many=True).data)

    def page_rows(self, queryset, *, offset: int, limit: int) -> "list[str]":  # quoted: here list is the action
        """The page's sys_ids. With no encoded query (the list as integrations page through it)
        the same ids in the same order by SQL built once (``contact_ids_in_list_order``)."""
        if lists_everything(self.request, queryset):
            return contact_ids_in_list_order(offset=offset, limit=limit)
        return list(queryset[offset : offset + limit])

    @extend_schema(responses=inline_serializer("ContactResult", {"result": ContactOutputSerializer()}))
    def retrieve(self, request, *args, **kwargs) -> Response:
        contact = contact_get(sys_id=kwargs[self.lookup_url_kwarg or self.lookup_field])
        if contact is None:
            raise RecordNotFound()
        return Response({"result": self.get_serializer(contact).data})

    @extend_schema(
        request=ContactInputSerializer,
        responses={201: inline_serializer("ContactCreated", {"result": serializers.CharField(help_text="sys_id")})},
    )
    def create(self, request, *args, **kwargs) -> Response:
        data = request.data
        if not isinstance(data, dict):
            raise BadRequestBody("The request body must be a JSON object")
        if body_is_empty(request):  # no body, or only whitespace (``{}`` is a body: an empty contact)
            raise BadRequestBody("The request body is empty")
        serializer = ContactInputSerializer(data=data)
        if not serializer.is_valid():
            raise ApiError(OPERATION_FAILED, error_detail(serializer.errors))
        fields = dict(serializer.validated_data)
        social = SocialProfileRequest.from_fields(fields)
        contact_fields = {key: value for key, value in fields.items() if not key.startswith("social_")}
        contact = contact_create(fields=contact_fields, social=social)  # refused: ``refusal``
        return Response({"result": contact.sys_id}, status=status.HTTP_201_CREATED)

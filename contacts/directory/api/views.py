"""The contact-center Contacts API, ``/api/v2/contacts`` (docs/contact-center-api.md).

Every answer carries ``statusCode``; errors are ``{"statusCode", "statusMessage"}``, made by
``csm_project.api.errors`` from the ``ApiError``s raised here. HTTP status per code:
0 -> 200 (the contract's "0 ok (200)"; POST too, since the vendor document names no
other), 1 and 2 -> 400, 3 and 5 -> 403, 6 -> 404.
"""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response

from contacts.directory import selectors as directory
from contacts.directory import services
from contacts.directory.api.filters import DirectoryFilterSet
from contacts.directory.api.parsers import JSONOrFormParser, LenientJSONParser
from contacts.directory.api.serializers import (
    ContactSerializer,
    CustomContactInputSerializer,
    contact_path,
    contact_uri,
    first_input_error,
)
from contacts.models import CustomContact
from csm_project.api.errors import ApiError
from csm_project.api.pagination import query_int
from csm_project.api.views import ContactCenterViewSet
from csm_project.core.access.role_names import CONTACT_CENTER_ADMIN, CONTACT_CENTER_AGENT
from csm_project.core.errors import RecordMissing

ADMIN = (CONTACT_CENTER_ADMIN,)
READERS = (CONTACT_CENTER_AGENT, CONTACT_CENTER_ADMIN)
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
ORDERS = {"ascending": False, "descending": True}


def _missing(message: str) -> ApiError:
    return ApiError(message, status_code=status.HTTP_400_BAD_REQUEST, code=1)


def _invalid(message: str) -> ApiError:
    return ApiError(message, status_code=status.HTTP_400_BAD_REQUEST, code=2)


def _answer(name: str, **fields) -> serializers.Serializer:
    """A documented answer: ``statusCode`` 0 and the given members (one object, even for the list)."""
    answer = inline_serializer(name, {"statusCode": serializers.IntegerField(help_text="0: ok"), **fields})
    extend_schema_serializer(many=False)(type(answer))
    return answer


_LIST_PARAMETERS = [
    *(
        OpenApiParameter(name, str, description="Exact match (type: any case)" if name == "type" else "Exact match")
        for name in DirectoryFilterSet.base_filters
    ),
    OpenApiParameter("limit", int, description=f"Contacts per page (default {DEFAULT_LIMIT}, at most {MAX_LIMIT})"),
    OpenApiParameter("offset", int, description="Contacts to skip"),
    OpenApiParameter("sortBy", str, description="Attributes to sort by, comma-separated"),
    OpenApiParameter("order", str, description="Ascending (default) or Descending"),
]
_STATUS_ONLY = _answer("DirectoryStatus")


@extend_schema_view(
    list=extend_schema(
        parameters=_LIST_PARAMETERS,
        responses=_answer(
            "DirectoryContactList", totalCount=serializers.IntegerField(), contacts=ContactSerializer(many=True)
        ),
    ),
    retrieve=extend_schema(responses=_answer("DirectoryContactResult", contact=ContactSerializer())),
    create=extend_schema(
        request=CustomContactInputSerializer,
        responses={
            200: _answer(
                "DirectoryContactCreated",
                id=serializers.CharField(),
                path=serializers.CharField(),
                uri=serializers.CharField(),
            )
        },
    ),
    update=extend_schema(request=CustomContactInputSerializer, responses=_STATUS_ONLY),
    destroy=extend_schema(responses={200: _STATUS_ONLY}),
)
class DirectoryContactViewSet(ContactCenterViewSet):
    """GET list/one for agents and admins; POST, PUT, DELETE (Custom contacts) for admins."""

    openapi_tag = "Contact-center Contacts API"
    required_roles = {
        "GET": READERS,
        "HEAD": READERS,
        "OPTIONS": READERS,  # answered 405 (no metadata class): a metadata body would carry no statusCode
        "POST": ADMIN,
        "PUT": ADMIN,
        "DELETE": ADMIN,
    }
    parser_classes = [LenientJSONParser, JSONOrFormParser]
    queryset = CustomContact.objects.none()  # the directory is read by contacts.directory

    def record_not_found(self) -> Exception:
        return RecordMissing(services.CONTACT_NOT_FOUND)

    def list(self, request, *args, **kwargs):
        filters = DirectoryFilterSet(data=request.query_params, queryset=self.queryset)
        if not filters.is_valid():
            raise _invalid(filters.first_error())
        sort_by = [name.strip() for name in request.query_params.get("sortBy", "").split(",") if name.strip()]
        unknown = [name for name in sort_by if name not in directory.COLUMNS]
        if unknown:
            raise _invalid(f"Invalid parameter: sortBy: unknown attribute {unknown[0][:40]!r}")
        order = request.query_params.get("order") or "Ascending"
        if order.casefold() not in ORDERS:
            raise _invalid("Invalid parameter: order must be Ascending or Descending")
        page = directory.directory_list(
            refine=filters.filter_queryset,
            sort_by=sort_by or ("name",),
            descending=ORDERS[order.casefold()],
            offset=query_int(request, "offset", 0),
            limit=min(query_int(request, "limit", DEFAULT_LIMIT), MAX_LIMIT),
        )
        contacts = ContactSerializer(page.rows, many=True, context={"request": request}).data
        return Response({"statusCode": 0, "totalCount": page.total_count, "contacts": contacts})

    def retrieve(self, request, pk: str, *args, **kwargs):
        row = directory.directory_get(contact_id=pk)
        if row is None:
            raise RecordMissing(services.CONTACT_NOT_FOUND)
        contact = ContactSerializer(row, context={"request": request}).data
        return Response({"statusCode": 0, "contact": contact})

    def create(self, request, *args, **kwargs):
        values = self._input(request)
        contact = services.custom_contact_create(name=values.get("name"), phone_number=values.get("phoneNumber"))
        return Response(
            {
                "statusCode": 0,
                "id": contact.sys_id,
                "path": contact_path(contact.sys_id),
                "uri": contact_uri(request, contact.sys_id),
            }
        )

    def update(self, request, pk: str, *args, **kwargs):
        values = self._input(request)
        fields = (("name", "name"), ("phoneNumber", "phone_number"))
        changes = {key: values[wire] for wire, key in fields if wire in values}
        services.custom_contact_update(contact_id=pk, **changes)
        return Response({"statusCode": 0})

    def destroy(self, request, pk: str, *args, **kwargs):
        services.custom_contact_delete(contact_id=pk)
        return Response({"statusCode": 0})

    @staticmethod
    def _input(request) -> dict:
        serializer = CustomContactInputSerializer(data=request.data)
        if not serializer.is_valid():
            raise _invalid(first_input_error(serializer.errors))
        return serializer.validated_data

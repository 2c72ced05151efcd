"""The Account API (``/api/now[/v1]/account``) and the Consumer API (``/api/now[/v1]/consumer``):
docs/account-consumer-api.md.

Both read records in the Table API's value shape (every value a string, references as plain
sys_ids) with the keys their pages document, page with ``sysparm_limit`` (default 10) and
``sysparm_offset``, and filter with ``sysparm_query``. Which rows a caller reaches is the row
rules' business (``csm_project.core.access.rows``, applied by the encoded-query entry and by
``rows_for`` on a single record): a customer's login reads its own account, a consumer's its
own consumer record; anything else is a 404 or absent from the list.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from contacts.models import Account, Consumer
from contacts.services import SocialProfileRequest, consumer_create
from csm_project.api.errors import BadRequestBody, RecordNotFound
from csm_project.api.filters import EncodedQueryFilter
from csm_project.api.links import absolute_url
from csm_project.api.pagination import SysparmPagination
from csm_project.api.parsers import PlatformJSONParser, body_is_empty
from csm_project.api.renderers import PlatformJSONRenderer, PlatformXMLRenderer, StringTreeJSONRenderer
from csm_project.api.views import NowViewSet
from csm_project.core.access.role_names import CONSUMER, CSM_WS_INTEGRATION, CUSTOMER
from csm_project.core.access.rows import rows_for
from csm_project.core.records.datetimes import user_zone
from csm_project.registry import TableSpec, get_table
from csm_project.table_api.shaping import DisplayMode, Shaper, resolve_columns

#: The keys of an account, as the Account API page lists them.
ACCOUNT_FIELDS = (
    "account_code", "account_parent", "account_path", "active_escalation", "apple_icon", "banner_image",
    "banner_image_light", "banner_text", "city", "contact", "country", "customer", "discount", "fax_phone",
    "fiscal_year", "lat_long_error", "latitude", "longitude", "manufacturer", "market_cap", "name", "notes",
    "num_employees", "number", "parent", "partner", "phone", "primary", "primary_contact", "profits",
    "publicly_traded", "rank_tier", "registration_code", "revenue_per_year", "state", "stock_price",
    "stock_symbol", "street", "sys_class_name", "sys_created_by", "sys_created_on", "sys_id", "sys_mod_count",
    "sys_tags", "sys_updated_by", "sys_updated_on", "theme", "vendor", "vendor_manager", "vendor_type",
    "website", "zip",
)  # fmt: skip

#: The keys of a consumer, as the Consumer API page lists them.
CONSUMER_FIELDS = (
    "active", "business_phone", "city", "country", "date_format", "email", "fax", "first_name", "gender",
    "home_phone", "household", "last_name", "middle_name", "mobile_phone", "name", "notes", "notification",
    "number", "photo", "preferred_language", "prefix", "primary", "state", "street", "suffix", "sys_created_by",
    "sys_created_on", "sys_domain", "sys_id", "sys_mod_count", "sys_tags", "sys_updated_by", "sys_updated_on",
    "time_format", "time_zone", "title", "user", "zip",
)  # fmt: skip

#: What a consumer's POST may set: the page's request body, social profile fields aside.
CONSUMER_WRITABLE = frozenset(CONSUMER_FIELDS) - {
    "number", "sys_created_by", "sys_created_on", "sys_domain", "sys_id", "sys_mod_count", "sys_tags",
    "sys_updated_by", "sys_updated_on",
}  # fmt: skip
SOCIAL_FIELDS = ("social_channel", "social_handle", "social_handle_url")


class RecordReadViewSet(NowViewSet):
    """``GET`` list and ``GET /{id}`` of one table, in the page's keys (``fields``)."""

    sys_table = ""
    fields: tuple[str, ...] = ()
    filter_backends = [EncodedQueryFilter]
    pagination_class = SysparmPagination
    default_limit = 10
    parser_classes = [PlatformJSONParser]

    @property
    def table(self) -> TableSpec:
        return get_table(self.sys_table)

    def get_renderers(self):
        # The pages offer XML on GET; a write answers JSON only.
        if self.request is not None and self.request.method in ("GET", "HEAD"):
            return [StringTreeJSONRenderer(), PlatformXMLRenderer()]
        return [PlatformJSONRenderer()]

    def shaper(self) -> Shaper:
        return Shaper(
            resolve_columns(self.table, list(self.fields)),
            mode=DisplayMode.VALUE,
            exclude_reference_link=True,
            base_url=absolute_url(self.request, "/"),
            zone=user_zone(self.request.user),
        )

    def get_queryset(self):
        return self.table.model.objects.all()

    def list(self, request, *args, **kwargs) -> Response:
        shaper = self.shaper()
        rows = self.paginate_queryset(self.filter_queryset(shaper.rows(self.table.model)))
        return self.get_paginated_response(shaper.shape_all(rows))

    def record(self, sys_id: str) -> dict:
        """One record the caller reaches, shaped; else the 404 envelope."""
        shaper = self.shaper()
        row = rows_for(shaper.rows(self.table.model), self.request.user, table=self.table).filter(pk=sys_id).first()
        if row is None:
            raise RecordNotFound()
        return shaper.shape(row)

    def retrieve(self, request, *args, **kwargs) -> Response:
        return Response({"result": self.record(kwargs[self.lookup_url_kwarg or self.lookup_field])})


def _result_schema(name: str, fields: tuple[str, ...]):
    return inline_serializer(
        name, {"result": inline_serializer(f"{name}Record", dict.fromkeys(fields, serializers.CharField()))}
    )


@extend_schema(responses=_result_schema("AccountResult", ACCOUNT_FIELDS))
class AccountViewSet(RecordReadViewSet):
    """``GET /api/now/account`` and ``GET /api/now/account/{id}``."""

    openapi_tag = "Account API"
    sys_table = Account.sys_table
    fields = ACCOUNT_FIELDS
    required_roles = (CSM_WS_INTEGRATION, CUSTOMER)


@extend_schema(responses=_result_schema("ConsumerResult", CONSUMER_FIELDS))
class ConsumerViewSet(RecordReadViewSet):
    """``GET /api/now/consumer``, ``GET /api/now/consumer/{id}`` and ``POST /api/now/consumer``."""

    openapi_tag = "Consumer API"
    sys_table = Consumer.sys_table
    fields = CONSUMER_FIELDS
    required_roles = {"GET": (CSM_WS_INTEGRATION, CONSUMER), "HEAD": (CSM_WS_INTEGRATION, CONSUMER),
                      "POST": (CSM_WS_INTEGRATION,)}  # fmt: skip

    @extend_schema(
        request=inline_serializer(
            "ConsumerInput",
            {field: serializers.CharField(required=False) for field in (*sorted(CONSUMER_WRITABLE), *SOCIAL_FIELDS)},
        ),
        responses={201: inline_serializer("ConsumerCreated", {"result": serializers.CharField(help_text="sys_id")})},
    )
    def create(self, request, *args, **kwargs) -> Response:
        """The page's body fields are read (others ignored, as the page says), by the record
        engine's field rules; a refusal is a 400 envelope naming the field."""
        data = request.data
        if not isinstance(data, dict):
            raise BadRequestBody("The request body must be a JSON object")
        if body_is_empty(request):
            raise BadRequestBody("The request body is empty")
        social_values = {key: data.get(key) for key in SOCIAL_FIELDS}
        if any(value is not None and not isinstance(value, str) for value in social_values.values()):
            raise BadRequestBody("social_channel, social_handle and social_handle_url must be strings")
        fields = {key: value for key, value in data.items() if key in CONSUMER_WRITABLE}
        consumer = consumer_create(fields=fields, social=SocialProfileRequest.from_fields(social_values))
        return Response({"result": consumer.sys_id}, status=status.HTTP_201_CREATED)

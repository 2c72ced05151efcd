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

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
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

#: The keys of an account, in the order of the Account API page's examples.
ACCOUNT_FIELDS = (
    "banner_image_light", "country", "parent", "notes", "stock_symbol", "discount", "active_escalation",
    "sys_updated_on", "apple_icon", "number", "sys_updated_by", "fiscal_year", "sys_created_on", "contact",
    "stock_price", "state", "banner_image", "sys_created_by", "longitude", "zip", "profits", "phone", "fax_phone",
    "name", "banner_text", "account_code", "primary", "city", "latitude", "sys_class_name", "manufacturer",
    "account_parent", "sys_id", "market_cap", "num_employees", "rank_tier", "street", "vendor", "lat_long_error",
    "theme", "vendor_type", "website", "revenue_per_year", "publicly_traded", "sys_mod_count", "sys_tags", "partner",
    "registration_code", "vendor_manager", "account_path", "primary_contact", "customer",
)  # fmt: skip

#: The keys of a consumer, in the order of the Consumer API page's examples.
CONSUMER_FIELDS = (
    "country", "notes", "gender", "city", "prefix", "sys_updated_on", "suffix", "title", "number", "notification",
    "sys_id", "business_phone", "sys_updated_by", "mobile_phone", "street", "sys_created_on", "sys_domain", "state",
    "fax", "first_name", "email", "preferred_language", "sys_created_by", "zip", "home_phone", "time_format",
    "sys_mod_count", "last_name", "photo", "active", "middle_name", "time_zone", "sys_tags", "name", "household",
    "date_format", "user", "primary",
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


def _documented(name: str, fields: tuple[str, ...]):
    """The OpenAPI document of the list (its items) and of ``GET /{id}`` (``{"result": ...}``)."""
    record = inline_serializer(f"{name}Record", {field: serializers.CharField() for field in fields})
    single = inline_serializer(f"{name}Result", {"result": record})
    return extend_schema_view(list=extend_schema(responses=record), retrieve=extend_schema(responses=single))


@_documented("Account", ACCOUNT_FIELDS)
class AccountViewSet(RecordReadViewSet):
    """``GET /api/now/account`` and ``GET /api/now/account/{id}``."""

    openapi_tag = "Account API"
    sys_table = Account.sys_table
    fields = ACCOUNT_FIELDS
    required_roles = (CSM_WS_INTEGRATION, CUSTOMER)


@_documented("Consumer", CONSUMER_FIELDS)
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

"""The Table API: one viewset serving every table of the registry.

``GET/POST /api/now[/v1|/v2]/table/{table}`` and ``GET/PUT/PATCH/DELETE .../{table}/{sys_id}``
(HEAD like GET). Who may do what is the table access rules' business (``TableAccess``, read per
request); the one role permission class asks them through ``access_allowed``. Records are
read with the shared encoded-query filter and paging, written through the domain layer
(``csm_project.core.records``), and shown by ``shaping.Shaper``.

List parameters: ``sysparm_query`` (else name-value pairs), ``sysparm_fields``,
``sysparm_limit`` (default 10000), ``sysparm_offset``, ``sysparm_display_value``,
``sysparm_exclude_reference_link``, ``sysparm_no_count``, ``sysparm_suppress_pagination_header``;
``sysparm_view``, ``sysparm_query_no_domain`` and ``sysparm_query_category`` are accepted and
change nothing (every record is in the global domain; there are no views).
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlencode

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, QuerySet, Window
from rest_framework import status
from rest_framework.response import Response

from csm_project.api.errors import BadRequestBody, NoRecordsFound, RecordNotFound
from csm_project.api.filters import EncodedQueryFilter
from csm_project.api.links import absolute_url
from csm_project.api.pagination import MAX_LIMIT, SysparmPagination, query_bool, query_int
from csm_project.api.parsers import PlatformJSONParser, PlatformXMLParser
from csm_project.api.renderers import PlatformXMLRenderer, StringTreeJSONRenderer
from csm_project.api.versioning import PlatformVersioning
from csm_project.api.views import NowViewSet
from csm_project.core.access.fields import table_reader
from csm_project.core.access.rows import DELETE, UPDATE, rows_for
from csm_project.core.access.table_access import table_access_allows
from csm_project.core.models import SysRecord, is_sys_id
from csm_project.core.records.datetimes import user_zone
from csm_project.core.records.field_paths import requested_fields
from csm_project.core.records.queries import QUERY_PARAM, apply_encoded_query
from csm_project.core.records.services import record_create, record_delete, record_update
from csm_project.core.sql.row_counts import counter_serves, exact_count
from csm_project.registry import TableSpec, get_table
from csm_project.table_api.name_value import name_value_query
from csm_project.table_api.openapi import table_api_schema, table_parameter
from csm_project.table_api.shaping import DisplayMode, Shaper, resolve_columns

NO_RESPONSE_BODY = "X-no-response-body"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # OPTIONS: a reader is told 405, not 403


class TableVersioning(PlatformVersioning):
    """The Table API answers under ``v1`` and ``v2`` as well as unversioned."""

    supported = frozenset({"v1", "v2"})

    def determine_version(self, request, *args, **kwargs) -> str:
        version = kwargs.get("version")
        if version in self.supported:
            return version
        return super().determine_version(request, *args, **kwargs)


class TableQueryFilter(EncodedQueryFilter):
    """``sysparm_query`` when given, else the request's name-value pairs, on the view's table."""

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        table = view.table
        text = request.query_params.get(QUERY_PARAM)
        if text is None:
            pairs = ((name, value) for name, values in request.query_params.lists() for value in values)
            text = name_value_query(table, pairs, may_read=table_reader(request.user))
        return apply_encoded_query(queryset, text, user=request.user, table=table)  # QueryTooLarge: the handler's


class TablePagination(SysparmPagination):
    """Offset paging with the platform's headers; the body is only ``{"result": [...]}``.

    With ``sysparm_no_count=true`` no ``COUNT(*)`` runs: one row past the page is read to learn
    whether more follow, and ``X-Total-Count`` is the rows known so far (offset + page, one more
    when another page follows), so a client looping until it has ``X-Total-Count`` rows still
    reaches the end. The ``Link`` header then has no ``last``.
    """

    default_limit = MAX_LIMIT

    def paginate_queryset(self, queryset, request, view=None):
        """``queryset`` is a ``values_list``; the rows of the page come back as its tuples."""
        self.request = request
        self.limit = min(query_int(request, "sysparm_limit", self.default_limit), MAX_LIMIT)
        self.offset = query_int(request, "sysparm_offset", 0)
        self.counted = not query_bool(request, "sysparm_no_count")
        if self.limit == 0:
            self.total = exact_count(queryset) if self.counted else self.offset
            return []
        if self.counted and (counter_serves(queryset) or queryset.db != DEFAULT_DB_ALIAS):
            # A whole table: its row counter answers, no COUNT over the rows. Or the page is read
            # from a replica: the total is still counted on the primary (exact_count).
            self.total = exact_count(queryset)
            return list(queryset[self.offset : self.offset + self.limit]) if self.offset < self.total else []
        if self.counted:
            # The total rides along with the page (COUNT(*) OVER ()): one query, not two.
            page = queryset.annotate(table_api_total=Window(Count("*")))[self.offset : self.offset + self.limit]
            rows = list(page)
            self.total = rows[0][-1] if rows else queryset.count()
            return [row[:-1] for row in rows]
        rows = list(queryset[self.offset : self.offset + self.limit + 1])
        more = len(rows) > self.limit
        rows = rows[: self.limit]
        self.total = self.offset + len(rows) + (1 if more else 0)
        return rows

    def links(self) -> str:
        offset, limit = self.offset, self.limit
        rels = [("first", 0)]
        if offset > 0 and limit > 0:
            rels.append(("prev", max(0, offset - limit)))
        if self.has_more:
            rels.append(("next", offset + limit))
        if self.counted and limit > 0:
            rels.append(("last", max(0, (self.total - 1) // limit * limit)))
        return ",".join(f'<{self._page_url(value)}>;rel="{rel}"' for rel, value in rels)

    def _page_url(self, offset: int) -> str:
        """This request's URL with another offset (and the limit in force); other parameters kept."""
        pairs = getattr(self, "_pairs", None)
        if pairs is None:
            request = self.request
            pairs = [(key, value) for key, values in request.query_params.lists() for value in values]
            names = {key for key, _value in pairs}
            pairs += [(key, "") for key in ("sysparm_limit", "sysparm_offset") if key not in names]
            self._pairs, self._base = pairs, absolute_url(request, request.path) + "?"
        changed = {"sysparm_limit": str(self.limit), "sysparm_offset": str(offset)}
        return self._base + urlencode([(key, changed.get(key, value)) for key, value in pairs])

    def get_paginated_response(self, data) -> Response:
        return Response({"result": data}, headers=self.headers())

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {"type": "object", "properties": {"result": schema}, "required": ["result"]}


@table_api_schema
class TableViewSet(NowViewSet):
    """Every table of the registry, by its wire name in the URL."""

    openapi_tag = "Table API"
    openapi_path_parameters = {"table": table_parameter}
    versioning_class = TableVersioning
    filter_backends = [TableQueryFilter]
    pagination_class = TablePagination
    parser_classes = [PlatformJSONParser, PlatformXMLParser]
    renderer_classes = [StringTreeJSONRenderer, PlatformXMLRenderer]
    lookup_url_kwarg = "sys_id"
    metadata_class = None  # OPTIONS is not a platform method: 405 envelope

    # --- the table and who may use it ------------------------------------------------------

    @cached_property
    def table(self) -> TableSpec:
        return get_table(self.kwargs.get("table", ""))  # UnknownTable: the handler's 400

    def access_allowed(self, request) -> bool:
        """The table's access rule for this method, asked by the role permission after
        authentication (so an unknown table is a 400 only for a caller who has signed in)."""
        write = request.method not in READ_METHODS
        return table_access_allows(user=request.user, table=self.table.name, write=write)

    # --- reading --------------------------------------------------------------------------

    def shaper(self) -> Shaper:
        request = self.request
        return Shaper(
            resolve_columns(
                self.table,
                requested_fields(request.query_params.get("sysparm_fields")),
                may_read=table_reader(request.user),
            ),
            mode=DisplayMode.from_param(request.query_params.get("sysparm_display_value")),
            exclude_reference_link=query_bool(request, "sysparm_exclude_reference_link"),
            base_url=absolute_url(request, "/"),
            zone=user_zone(request.user),
        )

    def record_key(self, key: str) -> dict | None:
        """The look-up of the record a URL names: its sys_id; for the tables describing the
        platform (``sys_glide_object``, ``sys_db_object``) also its unique name, which is what
        ``sys_dictionary``'s references hold and link to. ``None``: it names no record."""
        if is_sys_id(key):
            return {"pk": key}
        if self.table.derived and isinstance(key, str) and 0 < len(key) <= 80 and "\x00" not in key:
            name = self.table.model._meta.get_field("name") if self.table.field("name") else None
            if name is not None and name.unique:
                return {"name": key}
        return None

    def names_a_record(self, value: str) -> bool:
        return self.record_key(value) is not None

    def get_record(self) -> SysRecord:
        key = self.record_key(self.kwargs.get(self.lookup_url_kwarg, ""))
        if key is None:
            raise RecordNotFound()
        # A row outside the caller's rows for this write does not exist for it.
        operation = DELETE if self.request.method == "DELETE" else UPDATE
        record = rows_for(self.table.model.objects.filter(**key), self.request.user, operation).first()
        if record is None:
            raise RecordNotFound()
        return record

    def shaped(self, sys_id: str) -> dict:
        """One record in the read shape, or the 404 envelope."""
        shaper = self.shaper()
        key = self.record_key(sys_id)
        rows = rows_for(shaper.rows(self.table.model), self.request.user, table=self.table)
        row = rows.filter(**key).first() if key is not None else None
        if row is None:
            raise RecordNotFound()
        return shaper.shape(row)

    def list(self, request, *args, **kwargs) -> Response:
        shaper = self.shaper()
        rows = self.paginate_queryset(self.filter_queryset(shaper.rows(self.table.model)))
        if not rows and self.kwargs.get("version") == "v1":
            raise NoRecordsFound()  # /v1/ in the URL: an empty list is a 404; /v2/ and unversioned: []
        return self.get_paginated_response(shaper.shape_all(rows))

    def retrieve(self, request, *args, **kwargs) -> Response:
        return Response({"result": self.shaped(self.kwargs.get(self.lookup_url_kwarg, ""))})

    # --- writing --------------------------------------------------------------------------

    def _values(self) -> dict:
        """The request body as field values: an object, or the first object of an array."""
        data = self.request.data
        if isinstance(data, list):
            data = data[0] if data else {}
        if not isinstance(data, dict):
            raise BadRequestBody("The request body must be an object of field names and values")
        return data

    def _answer(self, record: SysRecord, *, status_code: int = status.HTTP_200_OK, headers=None) -> Response:
        """The stored record, read back, in the read shape of this request's parameters; with
        ``X-no-response-body: true`` the same status and headers and no body."""
        if (self.request.headers.get(NO_RESPONSE_BODY) or "").strip().lower() == "true":
            return Response(status=status_code, headers=headers)
        return Response({"result": self.shaped(record.pk)}, status=status_code, headers=headers)

    def create(self, request, *args, **kwargs) -> Response:
        values = self._values()
        record = record_create(
            table=self.table.name,
            values=values,
            input_display_value=query_bool(request, "sysparm_input_display_value"),
            keep_sys_id=True,  # a sys_id sent names the new record, as on the platform
        )
        location = absolute_url(request, f"{request.path.rstrip('/')}/{record.pk}")
        return self._answer(record, status_code=status.HTTP_201_CREATED, headers={"Location": location})

    def update(self, request, *args, **kwargs) -> Response:
        """PUT and PATCH alike: only the fields sent change (the platform's PUT is partial too)."""
        instance, values = self.get_record(), self._values()
        record = record_update(
            instance=instance,
            values=values,
            input_display_value=query_bool(request, "sysparm_input_display_value"),
        )
        return self._answer(record)

    partial_update = update

    def destroy(self, request, *args, **kwargs) -> Response:
        instance = self.get_record()
        record_delete(instance=instance)
        return Response(status=status.HTTP_204_NO_CONTENT)

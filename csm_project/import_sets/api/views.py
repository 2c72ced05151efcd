"""The Import Set API (``/api/now[/v1]/import/{staging_table}``), an adapter over
``import_sets.transform``.

- ``POST import/{staging}``: one row (an object of column names and values), transformed at
  once; 201 ``{"import_set", "staging_table", "result": [one entry per transform map]}``.
- ``POST import/{staging}/insertMultiple``: ``{"records": [row, ...]}``, transformed at once
  (synchronously); 201 ``{"import_set_id", "multi_import_set_id", "import_set", "staging_table",
  "result": [one entry per row and map]}``.
- ``GET import/{staging}/{sys_id}``: a staging row's results, as the single POST answered them.

Rights are the staging table's table access rule (``TableAccess``, data): read for GET, write
for the POSTs. Each result names the target record as the Table API serves it.
"""

from __future__ import annotations

from functools import cached_property

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from csm_project.api.errors import BadRequestBody, RecordNotFound
from csm_project.api.links import absolute_url
from csm_project.api.parsers import PlatformJSONParser, PlatformXMLParser
from csm_project.api.renderers import PlatformJSONRenderer, PlatformXMLRenderer
from csm_project.api.views import NowAPIView
from csm_project.core.access.table_access import table_access_allows
from csm_project.core.models import is_sys_id
from csm_project.core.records.wire_values import to_text
from csm_project.import_sets.models import ImportSet, ImportSetRow, StagingTable
from csm_project.import_sets.transform import import_rows, staging_table_get, staging_values
from csm_project.registry import UnknownTable, get_table

READ_METHODS = frozenset({"GET", "HEAD"})
MAX_ROWS = 10_000  # rows of one insertMultiple
MAX_BODY_BYTES = 64 * 1024 * 1024  # its body (10,000 rows of a few kB each)

_RESULT = inline_serializer(
    "ImportSetRowResult",
    {
        "transform_map": serializers.CharField(),
        "table": serializers.CharField(),
        "display_name": serializers.CharField(),
        "display_value": serializers.CharField(),
        "record_link": serializers.CharField(),
        "status": serializers.ChoiceField(choices=["inserted", "updated", "ignored", "error"]),
        "sys_id": serializers.CharField(),
        "status_message": serializers.CharField(required=False),
        "error_message": serializers.CharField(required=False),
    },
)
_ANSWER = inline_serializer(
    "ImportSetAnswer",
    {
        "import_set": serializers.CharField(),
        "staging_table": serializers.CharField(),
        "result": _RESULT.__class__(many=True),
    },
)
_MULTIPLE_ANSWER = inline_serializer(
    "ImportSetMultipleAnswer",
    {
        "import_set_id": serializers.CharField(),
        "multi_import_set_id": serializers.CharField(),
        "import_set": serializers.CharField(),
        "staging_table": serializers.CharField(),
        "result": _RESULT.__class__(many=True),
    },
)


class ImportSetView(NowAPIView):
    """Base of the three endpoints: the staging table of the URL and its access rule."""

    openapi_tag = "Import Set API"
    parser_classes = [PlatformJSONParser, PlatformXMLParser]
    renderer_classes = [PlatformJSONRenderer, PlatformXMLRenderer]

    @cached_property
    def staging(self) -> StagingTable:
        return staging_table_get(self.kwargs.get("staging_table", ""))  # unknown: the 400 envelope

    def access_allowed(self, request) -> bool:
        write = request.method not in READ_METHODS
        return table_access_allows(user=request.user, table=self.staging.name, write=write)

    # --- answering ------------------------------------------------------------------------

    def shaped(self, rows: list[ImportSetRow]) -> list[dict]:
        """Every result of ``rows``, with the target record's display value and Table API link
        (one query per target table)."""
        wanted: dict[str, set[str]] = {}
        for row in rows:
            for result in row.results:
                if result.get("sys_id"):
                    wanted.setdefault(result["table"], set()).add(result["sys_id"])
        shown: dict[tuple[str, str], str] = {}
        names: dict[str, str] = {}
        for table_name, ids in wanted.items():
            try:
                table = get_table(table_name)
            except UnknownTable:
                continue
            names[table_name] = table.display_field
            spec = table.fields.get(table.display_field)
            if spec is None:
                continue
            for pk, value in table.model.objects.filter(pk__in=ids).values_list("pk", spec.model_field):
                shown[table_name, pk] = to_text(spec, value)
        answer = []
        for row in rows:
            for result in row.results:
                sys_id = result.get("sys_id") or ""
                table_name = result["table"]
                link = absolute_url(self.request, f"/api/now/table/{table_name}/{sys_id}") if sys_id else ""
                answer.append(
                    {
                        "transform_map": result["transform_map"],
                        "table": table_name,
                        "display_name": names.get(table_name, ""),
                        "display_value": shown.get((table_name, sys_id), ""),
                        "record_link": link,
                        "status": result["status"],
                        "sys_id": sys_id,
                        **{key: result[key] for key in ("status_message", "error_message") if key in result},
                    }
                )
        return answer

    def answer(self, import_set: ImportSet, rows: list[ImportSetRow]) -> dict:
        return {"import_set": import_set.number, "staging_table": self.staging.name, "result": self.shaped(rows)}


class ImportOneView(ImportSetView):
    @extend_schema(
        request=inline_serializer("ImportSetRow", {"column_name": serializers.CharField(required=False)}),
        responses={201: OpenApiResponse(_ANSWER, description="The row's result under each transform map")},
    )
    def post(self, request, *args, **kwargs) -> Response:
        data = request.data
        if not isinstance(data, dict):
            raise BadRequestBody("The request body must be an object of column names and values")
        import_set, rows = import_rows(staging=self.staging, rows=[staging_values(data)], multiple=False)
        return Response(self.answer(import_set, rows), status=status.HTTP_201_CREATED)


class RecordsJSONParser(PlatformJSONParser):
    max_bytes = MAX_BODY_BYTES


class ImportMultipleView(ImportSetView):
    renderer_classes = [PlatformJSONRenderer]  # the vendor's insertMultiple speaks JSON only
    parser_classes = [RecordsJSONParser]

    @classmethod
    def max_body_bytes(cls) -> int:
        """The largest insertMultiple body (a body sent without a length is read up to it)."""
        return MAX_BODY_BYTES

    @extend_schema(
        request=inline_serializer(
            "ImportSetRecords", {"records": serializers.ListField(child=serializers.DictField(), max_length=MAX_ROWS)}
        ),
        responses={201: OpenApiResponse(_MULTIPLE_ANSWER, description="The import set and every row's results")},
    )
    def post(self, request, *args, **kwargs) -> Response:
        data = request.data
        records = data.get("records") if isinstance(data, dict) else None
        if not isinstance(records, list):
            raise BadRequestBody('The request body must be {"records": [...]}')
        if len(records) > MAX_ROWS:
            raise BadRequestBody(f"insertMultiple takes at most {MAX_ROWS} records")
        rows = [staging_values(record) for record in records]  # a bad row refuses the request, writing nothing
        import_set, kept = import_rows(staging=self.staging, rows=rows, multiple=True)
        body = {
            "import_set_id": import_set.sys_id,
            "multi_import_set_id": import_set.multi_import_set_id,
            **self.answer(import_set, kept),
        }
        return Response(body, status=status.HTTP_201_CREATED)


class ImportRowView(ImportSetView):
    @extend_schema(
        responses={200: OpenApiResponse(_ANSWER, description="The staging row's results")},
    )
    def get(self, request, *args, **kwargs) -> Response:
        sys_id = self.kwargs.get("sys_id", "")
        row = None
        if is_sys_id(sys_id):
            row = (
                ImportSetRow.objects.select_related("import_set")
                .filter(staging_table=self.staging, sys_id=sys_id)
                .first()
            )
        if row is None:
            raise RecordNotFound()
        return Response(self.answer(row.import_set, [row]))

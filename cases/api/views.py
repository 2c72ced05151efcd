"""The Case API (docs/case-api.md): ``/api/sn_customerservice[/v1]/case...``.

- ``GET case``: cases filtered and ordered by ``sysparm_query``, paged by ``sysparm_limit`` /
  ``sysparm_offset`` (``Link`` and ``X-Total-Count`` headers), ``sysparm_fields``,
  ``sysparm_display_value``; with ``sysparm_reference_fields`` (default true) the ``account``,
  ``contact`` and ``consumer`` of each case are the referenced records themselves, as objects.
- ``GET case/{id}``: one case by sys_id or by number (a number two cases share is a 404).
- ``POST case`` (201) and ``PUT case/{id}``: through the one record write, so the life cycle
  holds; the answer is ``{"sys_id", "number"}``, or the whole case with
  ``sysparm_get_case_details=true``.
- ``GET case/{id}/activities``: journal entries, field changes and attachments, newest first.
- ``GET case/field_values/{field}`` and ``GET case/{id}/field_values/{field}``: the values a
  choice or reference field may take (the record's own value for the second).

Every parameter may be given without its ``sysparm_`` prefix (``limit=2``). Who may call is the
table access rule of ``sn_customerservice_case`` (data: ``csm_ws_integration`` by default).
"""

from functools import cached_property

from django.db.models import Q
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.api.openapi import CaseAutoSchema, CaseRecordSerializer, case_api_schema
from cases.models import CASE_TABLE, Case
from cases.selectors import ATTACHMENT, JOURNAL_FIELDS, case_activities, case_find, field_labels
from csm_project.api.errors import NOW, ApiError, BadRequestBody, RecordNotFound
from csm_project.api.filters import EncodedQueryFilter
from csm_project.api.links import absolute_url
from csm_project.api.pagination import query_bool, query_int
from csm_project.api.parsers import PlatformJSONParser
from csm_project.api.renderers import PlatformXMLRenderer, StringTreeJSONRenderer
from csm_project.api.versioning import PlatformVersioning
from csm_project.api.views import ActsAsRequestUser, AnswersRefusals
from csm_project.core.access.fields import table_reader
from csm_project.core.access.rows import READ, UPDATE, rows_for
from csm_project.core.access.table_access import table_access_allows
from csm_project.core.models import Choice, SysRecord
from csm_project.core.records.datetimes import format_display, user_zone
from csm_project.core.records.field_paths import requested_fields
from csm_project.core.records.queries import apply_encoded_query
from csm_project.core.records.services import record_create, record_update
from csm_project.core.records.wire_values import text_writer
from csm_project.registry import FieldType, get_table
from csm_project.table_api.shaping import DisplayMode, Shaper, resolve_columns
from csm_project.table_api.views import TablePagination

READ_METHODS = frozenset({"GET", "HEAD"})
#: References answered as the referenced record when ``sysparm_reference_fields`` is true.
EXPANDED_REFERENCES = ("account", "contact", "consumer")
DEFAULT_LIMIT = 10000


class CasePagination(TablePagination):
    default_limit = DEFAULT_LIMIT


@case_api_schema
class CaseViewSet(AnswersRefusals, ActsAsRequestUser, viewsets.GenericViewSet):
    openapi_tag = "Case API"
    api_family = NOW
    versioning_class = PlatformVersioning
    serializer_class = CaseRecordSerializer
    schema = CaseAutoSchema()
    # ``{id}`` is a sys_id or a case number: ``case_find`` reads either, and anything else
    # (too long, odd characters) is no case, the 404 envelope.
    sys_table = CASE_TABLE
    lookup_url_kwarg = "case_id"
    lookup_value_regex = "[^/]+"
    filter_backends = [EncodedQueryFilter]
    pagination_class = CasePagination
    parser_classes = [PlatformJSONParser]
    renderer_classes = [StringTreeJSONRenderer, PlatformXMLRenderer]

    def initial(self, request, *args, **kwargs):
        # Every parameter may be named without ``sysparm_``: read both as the prefixed name.
        params = request._request.GET
        short = [key for key in params if not key.startswith("sysparm_") and f"sysparm_{key}" not in params]
        if short:
            params = params.copy()
            for key in short:
                params.setlist(f"sysparm_{key}", params.getlist(key))
            request._request.GET = params
        super().initial(request, *args, **kwargs)

    def access_allowed(self, request) -> bool:
        """The case table's access rule (data, docs/access.md) decides who may call."""
        return table_access_allows(user=request.user, table=CASE_TABLE, write=request.method not in READ_METHODS)

    def get_queryset(self):
        return Case.objects.all()

    @cached_property
    def table(self):
        return get_table(CASE_TABLE)

    # --- shaping ----------------------------------------------------------------------------

    def shaper(self, table=None, *, fields: list[str] | None = None) -> Shaper:
        request = self.request
        table = table or self.table
        return Shaper(
            resolve_columns(table, fields, may_read=table_reader(request.user)),
            mode=DisplayMode.from_param(request.query_params.get("sysparm_display_value")),
            exclude_reference_link=True,
            base_url=absolute_url(request, "/"),
            zone=user_zone(request.user),
        )

    def shape_cases(self, rows: "list[tuple]", shaper: Shaper, fields: "list[str] | None" = None) -> "list[dict]":
        shaped = shaper.shape_all(rows)
        # The journals read as empty, as on the platform (their entries are the activity stream).
        journals = [name for name, _label, _colour in JOURNAL_FIELDS if fields is None or name in fields]
        if journals:
            empty = {"display_value": "", "value": ""} if shaper.mode is DisplayMode.ALL else ""
            for case in shaped:
                for name in journals:
                    case[name] = empty.copy() if isinstance(empty, dict) else empty
        if not query_bool(self.request, "sysparm_reference_fields", default=True):
            return shaped
        may_read = table_reader(self.request.user)
        for name in EXPANDED_REFERENCES:
            if not any(name in case for case in shaped):
                continue
            target = self.table.referenced_table(self.table.field(name))
            if target is None or not may_read(target):
                continue
            ids = {_sys_id(case.get(name)) for case in shaped} - {""}
            if not ids:
                continue
            target_shaper = self.shaper(target)
            records = {}
            for row in rows_for(target_shaper.rows(target.model), self.request.user, table=target).filter(pk__in=ids):
                record = target_shaper.shape(row)
                records[_sys_id(record["sys_id"])] = record
            for case in shaped:
                found = records.get(_sys_id(case.get(name)))
                if found is not None:
                    case[name] = found
        return shaped

    def shaped_case(self, case: Case) -> dict:
        fields = requested_fields(self.request.query_params.get("sysparm_fields"))
        shaper = self.shaper(fields=fields)
        return self.shape_cases([shaper.rows(Case).get(pk=case.pk)], shaper, fields)[0]

    def find(self) -> Case:
        # A case outside the caller's rows (docs/row-access.md) does not exist for it.
        operation = READ if self.request.method in READ_METHODS else UPDATE
        case = case_find(
            self.kwargs.get(self.lookup_url_kwarg, ""), rows_for(Case.objects.all(), self.request.user, operation)
        )
        if case is None:
            raise RecordNotFound()
        return case

    # --- the endpoints ----------------------------------------------------------------------

    def list(self, request, *args, **kwargs) -> Response:
        fields = requested_fields(request.query_params.get("sysparm_fields"))
        shaper = self.shaper(fields=fields)
        rows = self.paginate_queryset(self.filter_queryset(shaper.rows(Case)))
        return self.get_paginated_response(self.shape_cases(rows, shaper, fields))

    def retrieve(self, request, *args, **kwargs) -> Response:
        return Response({"result": self.shaped_case(self.find())})

    def _values(self) -> dict:
        data = self.request.data
        if not isinstance(data, dict):
            raise BadRequestBody("The request body must be a JSON object of case fields")
        return data

    def _written(self, case: Case, status_code: int) -> Response:
        if query_bool(self.request, "sysparm_get_case_details"):
            return Response({"result": self.shaped_case(case)}, status=status_code)
        return Response({"result": {"sys_id": case.sys_id, "number": case.number}}, status=status_code)

    def create(self, request, *args, **kwargs) -> Response:
        case = record_create(table=CASE_TABLE, values=self._values())
        return self._written(case, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs) -> Response:
        case = record_update(instance=self.find(), values=self._values())
        return self._written(case, status.HTTP_200_OK)

    @action(detail=True, methods=["get"], url_path="activities")
    def activities(self, request, *args, **kwargs) -> Response:
        case = self.find()
        kinds_param = request.query_params.get("sysparm_activity_type")
        kinds = {kind.strip() for kind in kinds_param.split(",") if kind.strip()} if kinds_param else None
        activities = case_activities(case, kinds=kinds)
        limit = query_int(request, "sysparm_limit", len(activities))
        offset = query_int(request, "sysparm_offset", 0)
        page = activities[offset : offset + limit]
        zone, labels, user = user_zone(request.user), field_labels(), request.user
        when = text_writer(FieldType.DATETIME)
        names = _user_names({activity.user_name for activity in page})
        entries = []
        for activity in page:
            full_name, user_sys_id = names.get(activity.user_name, (activity.user_name, ""))
            entry = {
                "sys_created_on_adjusted": format_display(activity.created_on, zone),
                "sys_id": activity.sys_id,
                "login_name": full_name,
                "user_sys_id": user_sys_id,
                "initials": _initials(full_name),
                "sys_created_on": when(activity.created_on),
                "contains_code": "false",
                "field_label": labels.get(activity.element, activity.element),
                "name": full_name,
                "value": activity.value,
                "element": activity.element,
            }
            if activity.attachment is not None:
                entry["attachment"] = _attachment(request, activity.attachment)
            entries.append(entry)
        can_write = table_access_allows(user=user, table=CASE_TABLE, write=True)
        headers = {"X-Total-Count": str(len(activities))}
        return Response(
            {
                "result": {
                    "display_value": case.number,
                    "sys_id": case.sys_id,
                    "short_description": case.short_description or "",
                    "number": case.number,
                    "entries": entries,
                    "user_sys_id": user.sys_id,
                    "user_full_name": user.name or user.user_name,
                    "user_login": user.user_name,
                    "label": "Case",
                    "table": CASE_TABLE,
                    "journal_fields": [
                        {"can_read": True, "color": colour, "can_write": can_write, "name": name, "label": label}
                        for name, label, colour in JOURNAL_FIELDS
                    ],
                    "sys_created_on": when(case.sys_created_on),
                    "sys_created_on_adjusted": format_display(case.sys_created_on, zone),
                }
            },
            headers=headers,
        )

    @action(detail=False, methods=["get"], url_path=r"field_values/(?P<field_name>[^/]+)")
    def field_values(self, request, field_name: str, *args, **kwargs) -> Response:
        return Response({"result": self._field_values(field_name, case=None)})

    @action(detail=True, methods=["get"], url_path=r"field_values/(?P<field_name>[^/]+)")
    def record_field_values(self, request, field_name: str, *args, **kwargs) -> Response:
        return Response({"result": self._field_values(field_name, case=self.find())})

    def _field_values(self, field_name: str, *, case: Case | None) -> "list[dict]":  # quoted: list is an action
        spec = self.table.field(field_name)
        if spec is None or spec.type not in (FieldType.CHOICE, FieldType.REFERENCE):
            raise ApiError("Invalid field", f"{field_name[:80]!r} is not a choice or reference field of a case")
        request = self.request
        limit = query_int(request, "sysparm_limit", DEFAULT_LIMIT)
        offset = query_int(request, "sysparm_offset", 0)
        if spec.type is FieldType.CHOICE:
            rows = Choice.objects.filter(name=CASE_TABLE, element=spec.name, inactive=False).order_by(
                "sequence", "value"
            )
            pairs = [{"label": label, "value": value} for value, label in rows.values_list("value", "label")]
            if case is not None:
                current = getattr(case, spec.model_field) or ""
                pairs = [pair for pair in pairs if pair["value"] == current]
            return pairs[offset : offset + limit]
        target = self.table.referenced_table(spec)
        if target is None or not table_reader(request.user)(target):
            raise ApiError("Invalid field", f"{field_name[:80]!r} refers to a table you may not read")
        queryset = target.model._default_manager.all()
        if case is not None:
            queryset = queryset.filter(pk=getattr(case, f"{spec.model_field}_id") or "")
        query = request.query_params.get("sysparm_query")
        if query:
            queryset = apply_encoded_query(queryset, query, user=request.user, table=target)
        else:
            queryset = queryset.order_by(target.display_field if target.field(target.display_field) else "pk", "pk")
        columns = requested_fields(request.query_params.get("sysparm_reference_field_columns"))
        shaper = self.shaper(target, fields=columns) if columns else None
        answer = []
        for record in queryset[offset : offset + limit]:
            pair = {"label": _display(record, target), "value": record.pk}
            if shaper is not None:
                row = shaper.rows(target.model).filter(pk=record.pk).first()
                pair.update({key: value for key, value in shaper.shape(row).items() if key not in pair})
            answer.append(pair)
        return answer


def _sys_id(value) -> str:
    if isinstance(value, dict):
        return value.get("value", "") or value.get("sys_id", "") or ""
    return value or ""


def _display(record: SysRecord, table) -> str:
    value = getattr(record, table.display_field, None)
    return "" if value is None else str(value)


def _initials(name: str) -> str:
    return "".join(part[0].upper() for part in name.split()[:2] if part)


def _user_names(user_names: set[str]) -> dict[str, tuple[str, str]]:
    from csm_project.core.models import User

    users = User.objects.filter(Q(user_name__in=list(user_names))).values_list("user_name", "name", "sys_id")
    return {user_name: (name or user_name, sys_id) for user_name, name, sys_id in users}


def _attachment(request, attachment) -> dict:
    path = f"/api/now/attachment/{attachment.sys_id}/file"
    image = attachment.content_type.startswith("image/")
    return {
        "average_image_color": "",
        "content_type": attachment.content_type,
        "file_name": attachment.file_name,
        "image_height": 0,
        "image_path": absolute_url(request, path) if image else "",
        "image_width": 0,
        "path": absolute_url(request, path),
        "size": _size(attachment.size_bytes),
        "size_bytes": attachment.size_bytes,
        "state": "Available",
        "sys_id": attachment.sys_id,
        "thumbnail_path": "",
    }


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""  # pragma: no cover


__all__ = ["CaseViewSet", "ATTACHMENT"]

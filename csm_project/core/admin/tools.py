"""What every record's admin has, in one place (each app's admin builds on ``PlatformAdminMixin``):

- an encoded-query box on the list (``sysparm_query``, the APIs' query language, compiled by
  the same engine; invalid terms are reported as a message and left out, as the APIs do);
- "Export selected as CSV" (an action) and "Export filtered as CSV" (a link keeping the list's
  filters, search and query), in the format ``import_records`` reads back, for staff holding
  the model's export permission (``csm_project.core.access.staff_roles``);
- on each record's page, read-only: its audit history (``sys_audit``, choice labels and the
  display values of references beside the stored values) and its journal;
- references to large tables never rendered as a ``<select>`` of every row: a raw-id box
  unless the admin names the field in ``autocomplete_fields`` or ``raw_id_fields``;
- every admin write recorded in the audit with the reason ``admin``.
"""

from __future__ import annotations

import csv
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone

from csm_project.core.access.fields import staff_reader
from csm_project.core.access.staff_roles import may_export, may_import
from csm_project.core.admin.display import audit_values
from csm_project.core.bulk.exports import export_fields, export_rows
from csm_project.core.models import JournalEntry, SysAudit
from csm_project.core.sql.audit import audit_reason
from csm_project.encoded_query.compiler import compile_query
from csm_project.encoded_query.parser import parse
from csm_project.registry import TableSpec, UnknownTable, get_table

QUERY_PARAM = "sysparm_query"
MAX_QUERY_LENGTH = 32_768
MAX_QUERY_TERMS = 100
HISTORY_ROWS = 200

#: Reference targets small enough for a drop-down (catalogues staff keep short). Any other
#: registered table may hold thousands of rows.
SMALL_TABLES = frozenset(
    {
        "interaction_connector",
        "awa_queue",
        "sn_prd_pm_uom",
        "sn_app_cs_social_social_channel",
        "sys_user_group",
        "sys_user_role",
    }
)


def _table_of(model) -> TableSpec | None:
    name = model.__dict__.get("sys_table") if hasattr(model, "__dict__") else None
    if not name:
        return None
    try:
        return get_table(name)
    except UnknownTable:
        return None


def _user_zone(user):
    name = getattr(user, "time_zone", None) or settings.TIME_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def encoded_query_filter(request, queryset: QuerySet, table: TableSpec, text: str) -> QuerySet:
    """``queryset`` narrowed (and ordered, if the query says ORDERBY) by the encoded ``text``.
    Problems are reported to the staff member as admin messages, once per request."""
    report = not getattr(request, "_csm_query_reported", False)
    request._csm_query_reported = True
    if len(text) > MAX_QUERY_LENGTH:
        if report:
            messages.error(request, f"The encoded query is longer than {MAX_QUERY_LENGTH} characters.")
        return queryset.none()
    query = parse(text)
    if len(query.all_terms()) + len(query.order_by) > MAX_QUERY_TERMS:
        if report:
            messages.error(request, f"The encoded query has more than {MAX_QUERY_TERMS} terms.")
        return queryset.none()
    user = request.user
    compiled = compile_query(
        table,
        query,
        now=timezone.now(),
        user_sys_id=getattr(user, "sys_id", None),
        tz=_user_zone(user),
        default_ordering=(),
        may_read=staff_reader(user),
    )
    if compiled.invalid and report:
        listed = "; ".join(f"{term.text!r}: {term.reason}" for term in compiled.invalid[:10])
        messages.warning(request, f"Invalid terms of the encoded query were left out: {listed}")
    queryset = queryset.filter(compiled.q)
    if query.order_by:
        queryset = queryset.order_by(*compiled.order_by)
    return queryset


class EncodedQueryChangeList(ChangeList):
    """The admin list, also filtered by ``sysparm_query`` (kept in every link of the page)."""

    def __init__(self, request, *args, **kwargs):
        self.sysparm_query = request.GET.get(QUERY_PARAM, "").strip()
        super().__init__(request, *args, **kwargs)

    def get_filters_params(self, params=None):
        lookup = super().get_filters_params(params)
        lookup.pop(QUERY_PARAM, None)
        return lookup

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        table = _table_of(self.model)
        if self.sysparm_query and table is not None:
            queryset = encoded_query_filter(request, queryset, table, self.sysparm_query)
        return queryset


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_export_response(table: TableSpec, queryset: QuerySet, filename: str) -> StreamingHttpResponse:
    """Every registry field of the rows of ``queryset``, streamed as the CSV ``import_records``
    reads: a header of wire field names, wire values."""
    specs = export_fields(table, None)
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([spec.name for spec in specs])
        for values in export_rows(table, queryset, specs):
            yield writer.writerow(values)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def raw_id_for_large_references(model_admin, db_field, kwargs: dict) -> None:
    """A raw-id box for a reference to a large table, unless the admin chose a widget for it."""
    if "widget" in kwargs or db_field.name in model_admin.get_autocomplete_fields(None):
        return
    if db_field.name in model_admin.raw_id_fields:
        return
    target = getattr(db_field.related_model, "sys_table", "")
    if target and target not in SMALL_TABLES:
        kwargs["widget"] = ForeignKeyRawIdWidget(db_field.remote_field, model_admin.admin_site)


class PlatformAdminMixin:
    """See the module docstring. Put it first in the bases: ``class X(PlatformAdminMixin, ...)``."""

    change_form_template = "admin/csm/change_form.html"
    change_list_template = "admin/csm/change_list.html"

    # --- list: encoded query and CSV export ---------------------------------------------

    def get_changelist(self, request, **kwargs):
        return EncodedQueryChangeList

    def has_export_permission(self, request) -> bool:
        """Export CSV of this list (the action and the link): the model's export permission."""
        return _table_of(self.model) is not None and may_export(request.user, self.model)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_export_permission(request):
            action = PlatformAdminMixin.export_selected_csv
            actions["export_selected_csv"] = (action, "export_selected_csv", action.short_description)
        return actions

    @admin.action(description="Export selected as CSV (import_records format)", permissions=["export"])
    def export_selected_csv(self, request, queryset):
        table = _table_of(self.model)
        return csv_export_response(table, queryset.order_by("pk"), f"{table.name}_selected.csv")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        extra = [
            path(
                "export.csv", self.admin_site.admin_view(self.export_filtered_view), name="{}_{}_export".format(*info)
            ),
        ]
        return extra + super().get_urls()

    def export_filtered_view(self, request):
        table = _table_of(self.model)
        if table is None or not self.has_view_or_change_permission(request) or not self.has_export_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # As the list itself does with filters it cannot read: back to it, flagged.
            return HttpResponseRedirect(f"{_changelist_url(self.model)}?{ERROR_FLAG}=1")
        queryset = changelist.get_queryset(request)
        return csv_export_response(table, queryset, f"{table.name}.csv")

    def changelist_view(self, request, extra_context=None):
        table = _table_of(self.model)
        extra_context = {**(extra_context or {}), "csm_query_enabled": table is not None}
        if table is not None:
            extra_context["csm_query_param"] = QUERY_PARAM
        if self.has_export_permission(request):
            query_string = request.GET.urlencode()
            export = reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_export")
            extra_context["csm_export_url"] = f"{export}?{query_string}" if query_string else export
        if table is not None and may_import(request.user, self.model):
            extra_context["csm_import_url"] = f"{reverse('admin_import')}?table={table.name}"
        with audit_reason("admin"):  # actions write from here
            return super().changelist_view(request, extra_context)

    # --- record page: history and journal, read-only ---------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if object_id and _table_of(self.model) is not None:
            obj = self.get_object(request, object_id)
            if obj is not None and self.has_view_or_change_permission(request, obj):
                extra_context.update(self.record_history_context(request, obj))
        with audit_reason("admin"):
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        with audit_reason("admin"):
            return super().delete_view(request, object_id, extra_context)

    def record_history_context(self, request, obj) -> dict:
        """The record's history and journal, for those who may view the record. The link to
        the whole history in the audit list is offered to those who may view that list."""
        key = obj.pk.lower()  # documentkey is stored lower-cased: compared exactly, index-served
        history = list(
            SysAudit.objects.filter(documentkey=key).order_by("-sys_created_on", "-record_checkpoint", "fieldname")[
                : HISTORY_ROWS + 1
            ]
        )
        audit_values(history[:HISTORY_ROWS])
        may_list = request.user.has_perm(f"{SysAudit._meta.app_label}.view_{SysAudit._meta.model_name}")
        context = {
            "csm_history": history[:HISTORY_ROWS],
            "csm_history_more": len(history) > HISTORY_ROWS,
            "csm_history_url": _changelist_url(SysAudit, f"{QUERY_PARAM}=documentkey={key}") if may_list else None,
        }
        context["csm_journal"] = list(
            JournalEntry.objects.filter(name=obj.sys_table, element_id=obj.pk)
            .select_related("author")
            .order_by("-sys_created_on", "-sys_id")[:HISTORY_ROWS]
        )
        return context

    # --- references -----------------------------------------------------------------------

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        raw_id_for_large_references(self, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PlatformInlineMixin:
    """For inlines: references to large tables as raw-id boxes (see ``PlatformAdminMixin``)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        raw_id_for_large_references(self, db_field, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _changelist_url(model, query: str = "") -> str | None:
    try:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def record_admin_url(table_name: str, sys_id: str) -> str | None:
    """The admin page of the record ``sys_id`` of the wire table ``table_name``, if it has one."""
    try:
        model = get_table(table_name).model
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[quote(sys_id)])
    except (UnknownTable, NoReverseMatch):
        return None


def record_display_values(references: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """{(table, sys_id): display value} for many references, one query per table."""
    by_table: dict[str, set[str]] = {}
    for table_name, sys_id in references:
        by_table.setdefault(table_name, set()).add(sys_id)
    found: dict[tuple[str, str], str] = {}
    for table_name, ids in by_table.items():
        try:
            table = get_table(table_name)
        except UnknownTable:
            continue
        model = table.model
        display = table.display_field if table.display_field in {f.name for f in model._meta.concrete_fields} else "pk"
        for pk, value in model._base_manager.filter(pk__in=ids).values_list("pk", display):
            found[(table_name, pk)] = str(value or pk)
    return found


__all__ = [
    "QUERY_PARAM",
    "EncodedQueryChangeList",
    "PlatformAdminMixin",
    "PlatformInlineMixin",
    "csv_export_response",
    "encoded_query_filter",
    "record_admin_url",
    "record_display_values",
]

"""Staff admin for the platform layer, and the base admins every app's records use.

``DomainRecordAdmin`` makes the admin one more adapter of the record services: its forms check
the values with the same rules as every API (``record_check``, shown as form errors), it saves
through ``record_create``/``record_update``/``record_delete`` (inline rows too), choice fields
are selects fed by the field's ``sys_choice`` list and list columns show the choice labels.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Lower
from django.utils.html import format_html

from csm_project.core.admin_tools import (
    EncodedQueryChangeList,
    PlatformAdminMixin,
    PlatformInlineMixin,
    record_admin_url,
    record_display_values,
)
from csm_project.core.errors import DomainError
from csm_project.core.models import (
    SYSTEM_FIELDS,
    AuditArchive,
    Choice,
    JournalEntry,
    NumberCounter,
    Role,
    SysAudit,
    SystemProperty,
    TableAccess,
    User,
    is_sys_id,
)
from csm_project.core.records import record_check, record_create, record_delete, record_update, table_rules
from csm_project.core.wire_values import to_text

SYSTEM_FIELDSET = ("System", {"classes": ("collapse",), "fields": SYSTEM_FIELDS})


class SysRecordAdmin(PlatformAdminMixin, admin.ModelAdmin):
    """System fields are shown, never edited; the record's history and journal are shown under
    its form; lists take encoded queries and export CSV (``admin_tools``)."""

    readonly_fields = SYSTEM_FIELDS
    show_full_result_count = False  # counting a large table on every list page is slow


def wire_value(model: type[models.Model], name: str, value: Any) -> Any:
    """A form's cleaned value as the record services read it (a reference as its sys_id)."""
    if isinstance(value, models.Model):
        return value.pk
    if value is None or value == "":
        return ""
    spec = table_rules(model.sys_table).fields[name].spec
    return to_text(spec, value)


class DomainRecordForm(forms.ModelForm):
    """Checks the fields staff set with the record services' rules; refusals become form errors.

    ``domain_values`` (wire values of the fields to write) is ready after a valid ``clean``.
    ``domain_exclude`` names fields set on save (an inline row's parent reference).
    """

    domain_exclude: tuple[str, ...] = ()

    def clean(self) -> dict:
        cleaned = super().clean()
        model = self._meta.model
        writable = table_rules(model.sys_table).fields
        adding = self.instance._state.adding
        names = [
            name for name in self.fields if name in writable and name in cleaned and name not in self.domain_exclude
        ]
        if not adding:
            names = [name for name in names if name in self.changed_data]
        self.domain_values = {name: wire_value(model, name, cleaned[name]) for name in names}
        original = None if adding else model._base_manager.get(pk=self.instance.pk)
        try:
            record_check(
                table=model.sys_table, values=self.domain_values, instance=original, exclude=self.domain_exclude
            )
        except DomainError as exc:
            for error in exc.errors:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


class DomainInlineForm(DomainRecordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        fk = getattr(self, "fk_name", None)
        if fk:
            self.domain_exclude = (fk,)


def _saved_through_services(obj: models.Model, stored: models.Model) -> None:
    """Make the admin's ``obj`` the stored record: the admin logs, redirects to and saves
    relations and inline rows against it."""
    obj.__dict__.update(stored.__dict__)


class DomainRecordAdmin(SysRecordAdmin):
    """A record admin that writes through the record services (see the module docstring)."""

    form = DomainRecordForm

    def _choice_fields(self) -> dict[str, Any]:
        rules = table_rules(self.model.sys_table)
        return {rule.name: rule for rule in rules.choice_fields}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        rule = self._choice_fields().get(db_field.name)
        if rule is None:
            return super().formfield_for_dbfield(db_field, request, **kwargs)
        choices = table_rules(self.model.sys_table).load_choices([rule.name])[rule.name]
        required = rule.required or rule.empty is not None
        options = ([] if required else [("", "---------")]) + list(choices.items())
        return forms.ChoiceField(
            choices=options,
            required=required,
            label=db_field.verbose_name.capitalize(),
            initial=rule.empty if rule.empty is not None else "",
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        shown = [name for name in self.list_display if name in self._choice_fields()]
        labels = {
            f"{name}_choice_label": Subquery(
                _choice_labels(self.model.sys_table, name).filter(value=OuterRef(name)).values("label")[:1]
            )
            for name in shown
        }
        return queryset.annotate(**labels) if labels else queryset

    def get_list_display(self, request):
        choice_fields = self._choice_fields()
        return [
            _label_column(self.model, name) if name in choice_fields else name
            for name in super().get_list_display(request)
        ]

    def save_model(self, request, obj, form, change) -> None:
        values = form.domain_values
        if change:
            original = type(obj)._base_manager.get(pk=obj.pk)
            _saved_through_services(obj, record_update(instance=original, values=values))
        else:
            _saved_through_services(obj, record_create(table=self.model.sys_table, values=values))

    def delete_model(self, request, obj) -> None:
        record_delete(instance=obj)

    def save_formset(self, request, form, formset, change) -> None:
        model = formset.model
        if not isinstance(formset.form, type) or not issubclass(formset.form, DomainRecordForm):
            super().save_formset(request, form, formset, change)
            return
        fk = formset.fk.name
        # What the admin's change message reads afterwards.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            adding = row.instance._state.adding
            if formset.can_delete and formset._should_delete_form(row):
                if not adding:
                    record_delete(instance=model._base_manager.get(pk=row.instance.pk))
                    formset.deleted_objects.append(row.instance)
                continue
            if not row.has_changed():
                continue
            values = dict(row.domain_values)
            if adding:
                values[fk] = formset.instance.pk
                _saved_through_services(row.instance, record_create(table=model.sys_table, values=values))
                formset.new_objects.append(row.instance)
            else:
                original = model._base_manager.get(pk=row.instance.pk)
                _saved_through_services(row.instance, record_update(instance=original, values=values))
                formset.changed_objects.append((row.instance, row.changed_data))


class DomainInline(PlatformInlineMixin, admin.TabularInline):
    """Inline rows of a ``DomainRecordAdmin``, checked and saved through the record services."""

    form = DomainInlineForm

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"fk_name": formset.fk.name})
        return formset


def _choice_labels(table: str, element: str) -> models.QuerySet:
    return Choice.objects.filter(table=table, element=element)


def _label_column(model: type[models.Model], name: str) -> Callable[[models.Model], str]:
    def column(obj: models.Model) -> str:
        return getattr(obj, f"{name}_choice_label", None) or getattr(obj, name) or "-"

    column.short_description = model._meta.get_field(name).verbose_name.capitalize()
    column.admin_order_field = name
    column.__name__ = f"{name}_label"
    return column


@admin.register(Role)
class RoleAdmin(SysRecordAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)


class PlatformUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("user_name",)


class PlatformUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(PlatformAdminMixin, DjangoUserAdmin):
    form = PlatformUserChangeForm
    add_form = PlatformUserCreationForm
    list_display = ("user_name", "name", "email", "active", "is_staff", "is_superuser")
    list_filter = ("active", "is_staff", "is_superuser", "roles")
    search_fields = ("user_name", "name", "first_name", "last_name", "email")
    ordering = ("user_name",)
    filter_horizontal = ("roles",)
    readonly_fields = (*SYSTEM_FIELDS, "last_login")
    fieldsets = (
        (None, {"fields": ("user_name", "password")}),
        (
            "Person",
            {
                "fields": (
                    "first_name",
                    "middle_name",
                    "last_name",
                    "name",
                    "email",
                    "title",
                    "phone",
                    "mobile_phone",
                    "employee_number",
                    "time_zone",
                )
            },
        ),
        ("Access", {"fields": ("active", "is_staff", "is_superuser", "roles", "last_login")}),
        SYSTEM_FIELDSET,
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("user_name", "password1", "password2")}),)

    def get_queryset(self, request):
        # Contacts extend sys_user; they are managed in their own admin.
        return super().get_queryset(request).filter(sys_class_name="sys_user")


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    list_display = ("prefix", "table", "next_value", "digits", "__str__")


@admin.register(SystemProperty)
class SystemPropertyAdmin(SysRecordAdmin):
    list_display = ("name", "value", "type", "sys_updated_on", "sys_updated_by")
    search_fields = ("name", "description")


@admin.register(Choice)
class ChoiceAdmin(SysRecordAdmin):
    list_display = ("table", "element", "value", "label", "sequence", "inactive")
    list_filter = ("table", "element", "inactive")
    search_fields = ("value", "label")


class JournalChangeList(EncodedQueryChangeList):
    """Looks up the display value of every record the page's entries belong to, one query per table."""

    def get_results(self, request):
        super().get_results(request)
        found = record_display_values([(entry.name, entry.element_id) for entry in self.result_list])
        for entry in self.result_list:
            entry.record_display = found.get((entry.name, entry.element_id))


@admin.register(JournalEntry)
class JournalEntryAdmin(SysRecordAdmin):
    """The audit trail of work notes: readable, never edited; newest first."""

    list_display = ("sys_created_on", "name", "record", "element", "author", "value")
    list_filter = ("name", "element")
    search_fields = ("element_id", "value")
    list_select_related = ("author",)
    ordering = ("-sys_created_on", "-sys_id")

    def get_changelist(self, request, **kwargs) -> type[ChangeList]:
        return JournalChangeList

    @admin.display(description="Record")
    def record(self, entry: JournalEntry) -> str:
        label = getattr(entry, "record_display", None)
        if label is None:
            label = record_display_values([(entry.name, entry.element_id)]).get((entry.name, entry.element_id))
        url = record_admin_url(entry.name, entry.element_id)
        if label is None:
            return f"{entry.element_id} (deleted)"
        return format_html('<a href="{}">{}</a>', url, label) if url else label

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TableAccess)
class TableAccessAdmin(admin.ModelAdmin):
    """Who may read and write each table through the Table API (admin passes every rule)."""

    list_display = ("table", "readers", "writers", "writable")
    list_filter = ("writable",)
    search_fields = ("table",)
    filter_horizontal = ("read_roles", "write_roles")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("read_roles", "write_roles")

    @admin.display(description="read")
    def readers(self, rule: TableAccess) -> str:
        return ", ".join(sorted(role.name for role in rule.read_roles.all()))

    @admin.display(description="create, update, delete")
    def writers(self, rule: TableAccess) -> str:
        return ", ".join(sorted(role.name for role in rule.write_roles.all())) if rule.writable else "nobody"


@admin.register(SysAudit)
class SysAuditAdmin(SysRecordAdmin):
    """The field-level history of every record: written by the database, read-only to everyone."""

    list_display = (
        "sys_created_on",
        "tablename",
        "documentkey",
        "fieldname",
        "oldvalue",
        "newvalue",
        "user",
        "record_checkpoint",
        "reason",
    )
    search_fields = ("documentkey", "user")
    search_help_text = "A record's sys_id, or the user name of whoever made the change."
    ordering = ("-sys_created_on", "-sys_id")

    def get_search_results(self, request, queryset, search_term):
        """A sys_id finds the record's history through the index (documentkey is stored
        lower-cased, so it is compared exactly); anything else is a user name, compared without
        case as user names are."""
        term = search_term.strip()
        if not term:
            return queryset, False
        if is_sys_id(term.lower()):
            return queryset.filter(documentkey=term.lower()), False
        return queryset.alias(user_lower=Lower("user")).filter(user_lower=term.lower()), False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def record_history_context(self, obj) -> dict:
        return {}


@admin.register(AuditArchive)
class AuditArchiveAdmin(SysRecordAdmin):
    """Runs of ``archive_audit``: what left the audit history, when, by whom, to which file."""

    list_display = ("sys_created_on", "cutoff", "state", "rows", "newest", "file_name", "sys_created_by", "finished_on")
    list_filter = ("state",)
    ordering = ("-sys_created_on", "-sys_id")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

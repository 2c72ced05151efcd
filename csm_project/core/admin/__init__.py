"""Staff admin for the platform layer, and the one base every registry record's admin uses.

``RecordAdminMixin`` (and ``SysRecordAdmin``, the mixin over Django's ``ModelAdmin``) makes the
admin one more adapter of the record services, so a rule holds in the admin exactly as in the
APIs:

- forms check the values with the rules of every API (``record_check``, shown as form errors);
- saves and deletes go through ``record_create``/``record_update``/``record_delete``, inline
  rows and the "delete selected" action too; an admin whose app service adds something the
  form offers overrides ``create_record`` / ``update_record`` to call it;
- a work-note box on every form of a record with a journal (``journal``), saved as the
  ``work_notes`` value of the same write;
- choice fields are selects fed by the field's ``sys_choice`` list; list columns and filter
  sidebars show the choice labels, decimals read as the APIs write them (``92``);
- what ``tools.PlatformAdminMixin`` gives every record: encoded queries, CSV export (for
  staff allowed to export), the history and journal under the record.

Staff rights are Django model permissions held through the staff groups
(``csm_project.core.access.staff_roles``); every view and action here checks them.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import authenticate
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils.html import format_html

from csm_project.core.access import login_throttle
from csm_project.core.access.staff_roles import tables_filter, viewable_tables
from csm_project.core.admin.display import (
    ChoiceLabelFilter,
    NumberInput,
    audit_values,
    choice_label_annotation,
    label_column,
    number_column,
)
from csm_project.core.admin.tools import (
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
    FieldAccess,
    JournalEntry,
    NumberCounter,
    Role,
    RowAccess,
    SysAudit,
    SysRecord,
    SystemProperty,
    TableAccess,
    User,
    is_sys_id,
)
from csm_project.core.records.field_rules import WORK_NOTES, table_rules
from csm_project.core.records.services import record_check, record_create, record_delete, record_update
from csm_project.core.records.wire_values import to_text
from csm_project.registry import FieldType

SYSTEM_FIELDSET = ("System", {"classes": ("collapse",), "fields": SYSTEM_FIELDS})


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin's login form, under the same throttle as Basic logins (``login_throttle``): the
    attempt is counted before the password is checked, and past the limit refused unchecked."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": "Too many failed logins for this user name: try again in %(wait)s seconds.",
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            wait = login_throttle.attempt(username)
            if wait:
                raise ValidationError(self.error_messages["throttled"], code="throttled", params={"wait": wait})
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            login_throttle.succeeded(username)
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = ThrottledAdminLoginForm
WORK_NOTE = "work_note"


def wire_value(model: type[models.Model], name: str, value: Any) -> Any:
    """A form's cleaned value as the record services read it (a reference as its sys_id)."""
    if isinstance(value, models.Model):
        return value.pk
    if value is None or value == "":
        return ""
    spec = table_rules(model.sys_table).fields[name].spec
    return to_text(spec, value)


class SysRecordForm(forms.ModelForm):
    """Checks the fields staff set with the record services' rules; refusals become form errors.

    ``domain_values`` (wire values of the fields to write) is ready after a valid ``clean``.
    ``domain_exclude`` names fields set on save (an inline row's parent reference). The work-note
    box is offered by admins of records with a journal (``RecordAdminMixin.journal``).
    """

    work_note = forms.CharField(
        label="Add a work note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Saved to the record's journal, with your name, when you save.",
    )

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

    def work_note_text(self) -> str:
        return (self.cleaned_data.get(WORK_NOTE) or "").strip()


class SysRecordInlineForm(SysRecordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        fk = getattr(self, "fk_name", None)
        if fk:
            self.domain_exclude = (fk,)


def _saved_through_services(obj: models.Model, stored: models.Model) -> None:
    """Make the admin's ``obj`` the stored record: the admin logs, redirects to and saves
    relations and inline rows against it."""
    obj.__dict__.update(stored.__dict__)


class RecordAdminMixin(PlatformAdminMixin):
    """The one base of every registry record's admin (see the module docstring). Put it first
    in the bases: ``class X(RecordAdminMixin, SomeDjangoAdmin)``."""

    form = SysRecordForm
    readonly_fields = SYSTEM_FIELDS
    show_full_result_count = False  # counting a large table on every list page is slow
    #: The record has a journal: its form offers a work-note box.
    journal = True
    #: Model fields outside the registry the form may set (login flags): saved as they are.
    direct_fields: tuple[str, ...] = ()

    # --- how fields read --------------------------------------------------------------------

    def _choice_fields(self) -> dict[str, Any]:
        rules = table_rules(self.model.sys_table)
        return {rule.name: rule for rule in rules.choice_fields}

    def _decimal_fields(self) -> set[str]:
        rules = table_rules(self.model.sys_table)
        return {rule.name for rule in rules.fields.values() if rule.spec.type is FieldType.DECIMAL}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        rule = self._choice_fields().get(db_field.name)
        if rule is None:
            if isinstance(db_field, models.DecimalField):
                kwargs.setdefault("widget", NumberInput)
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

    # --- lists: labels, numbers, filters -----------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        shown = [name for name in self.list_display if name in self._choice_fields()]
        labels = {f"{name}_choice_label": choice_label_annotation(self.model.sys_table, name) for name in shown}
        return queryset.annotate(**labels) if labels else queryset

    def get_list_display(self, request):
        choice_fields, decimals = self._choice_fields(), self._decimal_fields()
        columns = []
        for name in super().get_list_display(request):
            if name in choice_fields:
                model_field = choice_fields[name].model_field
                fallback = {str(value): str(label) for value, label in model_field.flatchoices}
                columns.append(label_column(self.model, name, fallback))
            elif name in decimals:
                columns.append(number_column(self.model, name))
            else:
                columns.append(name)
        return columns

    def get_list_filter(self, request):
        choice_fields = self._choice_fields()
        return [
            (item, ChoiceLabelFilter) if isinstance(item, str) and item in choice_fields else item
            for item in super().get_list_filter(request)
        ]

    # --- the form: work notes ------------------------------------------------------------------

    def _offers_work_note(self, request, obj) -> bool:
        if not self.journal:
            return False
        return self.has_change_permission(request, obj) if obj is not None else self.has_add_permission(request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": tuple(field for field in options["fields"] if field != WORK_NOTE)})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if self._offers_work_note(request, obj):
            block = ("Work notes", {"fields": (WORK_NOTE,)})
            at = next((i for i, (name, _) in enumerate(fieldsets) if name == SYSTEM_FIELDSET[0]), len(fieldsets))
            fieldsets.insert(at, block)
        return fieldsets

    # --- writes: through the record services ---------------------------------------------------

    def create_record(self, request, values: dict[str, Any], form) -> SysRecord:
        """Create the record from the form's wire ``values`` (``work_notes`` among them when
        staff wrote one); override to go through an app service."""
        return record_create(table=self.model.sys_table, values=values)

    def update_record(self, request, instance: SysRecord, values: dict[str, Any], form) -> SysRecord:
        """Change ``instance`` (as stored) by the form's wire ``values``."""
        return record_update(instance=instance, values=values)

    def save_model(self, request, obj, form, change) -> None:
        values = dict(form.domain_values)
        note = form.work_note_text() if self.journal else ""
        if note:
            values[WORK_NOTES] = note
        direct = {name: form.cleaned_data[name] for name in self.direct_fields if name in form.changed_data}
        with transaction.atomic():
            if change:
                original = type(obj)._base_manager.get(pk=obj.pk)
                # Set before the services' save, so one admin save is one change of the record
                # (one audit checkpoint) when the form changed registry fields too.
                for name, value in direct.items():
                    setattr(original, name, value)
                stored = self.update_record(request, original, values, form)
                if direct and type(obj)._base_manager.filter(pk=obj.pk, **direct).exists():
                    direct = {}  # written with the services' save
            else:
                stored = self.create_record(request, values, form)
            _saved_through_services(obj, stored)
            self._save_direct_fields(obj, direct)

    def _save_direct_fields(self, obj, wanted: dict[str, Any]) -> None:
        if wanted:
            for name, value in wanted.items():
                setattr(obj, name, value)
            obj.save(update_fields=list(wanted))

    def delete_model(self, request, obj) -> None:
        record_delete(instance=obj)

    def delete_queryset(self, request, queryset) -> None:
        """The "delete selected" action: each record through ``record_delete`` (its journal goes
        with it), all in one transaction."""
        with transaction.atomic():
            for obj in queryset:
                record_delete(instance=obj)

    def save_formset(self, request, form, formset, change) -> None:
        model = formset.model
        if not isinstance(formset.form, type) or not issubclass(formset.form, SysRecordForm):
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


class SysRecordAdmin(RecordAdminMixin, admin.ModelAdmin):
    """The admin of a registry record (see ``RecordAdminMixin``)."""


class SysRecordInline(PlatformInlineMixin, admin.TabularInline):
    """Inline rows of a record admin, checked and saved through the record services."""

    form = SysRecordInlineForm

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        form = type(formset.form.__name__, (formset.form,), {"fk_name": formset.fk.name})
        form.base_fields.pop(WORK_NOTE, None)  # inline rows have no work-note box
        formset.form = form
        return formset


class ReadOnlyAdminMixin:
    """Nobody adds, changes or deletes these rows through the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Role)
class RoleAdmin(SysRecordAdmin):
    """API roles (docs/platform.md): granted to users and contacts, named in table access rules."""

    list_display = ("name", "description")
    search_fields = ("name",)
    journal = False


USER_FIELDSETS = (
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
    ("Access", {"fields": ("active", "is_staff", "is_superuser", "last_login")}),
    (
        "Staff roles and permissions (admin)",
        {
            "fields": ("groups", "user_permissions"),
            "description": "What this user may do in the admin when staff: the rights of its groups "
            "(CSM agent, CSM manager, CSM administrator) and any permission given one by one.",
        },
    ),
    ("API roles", {"fields": ("roles",)}),
    SYSTEM_FIELDSET,
)
USER_FORM_FIELDS = tuple(
    name for _, options in USER_FIELDSETS for name in options["fields"] if name not in (*SYSTEM_FIELDS, "last_login")
)


class PlatformUserCreationForm(AdminUserCreationForm, SysRecordForm):
    class Meta:
        model = User
        fields = ("user_name",)


class PlatformUserChangeForm(UserChangeForm, SysRecordForm):
    class Meta:
        model = User
        fields = USER_FORM_FIELDS


@admin.register(User)
class UserAdmin(RecordAdminMixin, DjangoUserAdmin):
    """Platform users: their fields saved through the record services, their sign-in (password,
    staff and superuser flags), staff groups, permissions and API roles beside them.

    Only a superuser makes or changes superusers: anyone else sees the flag read-only and cannot
    change (nor set the password of) a superuser account."""

    form = PlatformUserChangeForm
    add_form = PlatformUserCreationForm
    journal = False
    direct_fields = ("is_staff", "is_superuser")
    list_display = ("user_name", "name", "email", "active", "is_staff", "is_superuser")
    list_filter = ("active", "is_staff", "is_superuser", "groups", "roles")
    search_fields = ("user_name", "name", "first_name", "last_name", "email")
    ordering = ("user_name",)
    filter_horizontal = ("roles", "groups", "user_permissions")
    readonly_fields = (*SYSTEM_FIELDS, "last_login")
    fieldsets = USER_FIELDSETS
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("user_name", "usable_password", "password1", "password2")}),
    )

    def get_queryset(self, request):
        # Contacts extend sys_user; they are managed in their own admin.
        return super().get_queryset(request).filter(sys_class_name="sys_user")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else (*fields, "is_superuser")

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        # The creation form put the new password's hash (or an unusable one) on obj.
        password = None if change else obj.password
        super().save_model(request, obj, form, change)
        if password:
            obj.password = password
            obj.save(update_fields=["password"])


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    list_display = ("prefix", "table", "next_value", "digits", "__str__")


@admin.register(SystemProperty)
class SystemPropertyAdmin(SysRecordAdmin):
    list_display = ("name", "value", "type", "sys_updated_on", "sys_updated_by")
    search_fields = ("name", "description")
    journal = False


@admin.register(Choice)
class ChoiceAdmin(SysRecordAdmin):
    list_display = ("name", "element", "value", "label", "sequence", "inactive")
    list_filter = ("name", "element", "inactive")
    search_fields = ("value", "label")
    journal = False


class RecordsOfViewableTables:
    """A trail's rows (journal, audit) only for the tables whose records the staff member may
    view: what is kept about a record is shown to those who may see the record."""

    table_field = ""

    def get_queryset(self, request):
        tables = viewable_tables(request.user)
        return super().get_queryset(request).filter(**tables_filter(tables, self.table_field))


class JournalChangeList(EncodedQueryChangeList):
    """Looks up the display value of every record the page's entries belong to, one query per table."""

    def get_results(self, request):
        super().get_results(request)
        found = record_display_values([(entry.name, entry.element_id) for entry in self.result_list])
        for entry in self.result_list:
            entry.record_display = found.get((entry.name, entry.element_id))


@admin.register(JournalEntry)
class JournalEntryAdmin(RecordsOfViewableTables, ReadOnlyAdminMixin, SysRecordAdmin):
    """The audit trail of work notes: readable, never edited; newest first."""

    table_field = "name"
    journal = False
    list_display = ("sys_created_on", "name", "record", "element", "author", "value")
    list_filter = ("name", "element")
    search_fields = ("element_id", "value")
    list_select_related = ("author",)
    ordering = ("-sys_created_on", "-sys_id")

    def get_changelist(self, request, **kwargs) -> type[ChangeList]:
        return JournalChangeList

    @admin.display(description="Record")
    def record(self, entry: JournalEntry) -> str:
        return _record_link(entry.name, entry.element_id, getattr(entry, "record_display", None))


def _record_link(table: str, sys_id: str, label: str | None) -> str:
    if label is None:
        label = record_display_values([(table, sys_id)]).get((table, sys_id))
    if label is None:
        return f"{sys_id} (deleted)"
    url = record_admin_url(table, sys_id)
    return format_html('<a href="{}">{}</a>', url, label) if url else label


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


@admin.register(FieldAccess)
class FieldAccessAdmin(admin.ModelAdmin):
    """Who may change one field of existing records, however written (docs/access.md)."""

    list_display = ("table", "field", "writers")
    search_fields = ("table", "field")
    filter_horizontal = ("write_roles",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("write_roles")

    @admin.display(description="change (besides admin)")
    def writers(self, rule: FieldAccess) -> str:
        return ", ".join(sorted(role.name for role in rule.write_roles.all())) or "admin only"


@admin.register(RowAccess)
class RowAccessAdmin(admin.ModelAdmin):
    """Which rows of a table a role reaches (docs/row-access.md)."""

    list_display = ("table", "role", "field", "caller", "read", "create", "update", "delete")
    list_filter = ("table", "role")
    search_fields = ("table", "field", "role__name")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("role")

    @admin.display(description="equals")
    def caller(self, rule: RowAccess) -> str:
        return rule.caller_source()


class AuditChangeList(EncodedQueryChangeList):
    """Reads the page's values as staff read them (labels, display values) and the display value
    of each row's record, a query per referenced table."""

    def get_results(self, request):
        super().get_results(request)
        audit_values(self.result_list)
        found = record_display_values([(row.tablename, row.documentkey) for row in self.result_list])
        for row in self.result_list:
            row.record_display = found.get((row.tablename, row.documentkey))


def _shown(value) -> str:
    if value is None:
        return ""
    if not value.differs:
        return value.raw
    return format_html('{} <span class="csm-raw" title="stored value">({})</span>', value.shown, value.raw)


@admin.register(SysAudit)
class SysAuditAdmin(RecordsOfViewableTables, ReadOnlyAdminMixin, SysRecordAdmin):
    """The field-level history of every record: written by the database, read-only to everyone."""

    table_field = "tablename"
    journal = False
    list_display = (
        "sys_created_on",
        "tablename",
        "record",
        "fieldname",
        "old_value",
        "new_value",
        "user",
        "record_checkpoint",
        "reason",
    )
    search_fields = ("documentkey", "user")
    search_help_text = "A record's sys_id, or the user name of whoever made the change."
    ordering = ("-sys_created_on", "-sys_id")

    def get_changelist(self, request, **kwargs) -> type[ChangeList]:
        return AuditChangeList

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

    @admin.display(description="Record")
    def record(self, row: SysAudit) -> str:
        return _record_link(row.tablename, row.documentkey, getattr(row, "record_display", None))

    @admin.display(description="Old value")
    def old_value(self, row: SysAudit) -> str:
        return _shown(getattr(row, "old_shown", None)) or row.oldvalue

    @admin.display(description="New value")
    def new_value(self, row: SysAudit) -> str:
        return _shown(getattr(row, "new_shown", None)) or row.newvalue

    def record_history_context(self, request, obj) -> dict:
        return {}


@admin.register(AuditArchive)
class AuditArchiveAdmin(ReadOnlyAdminMixin, SysRecordAdmin):
    """Runs of ``archive_audit``: what left the audit history, when, by whom, to which file."""

    journal = False
    list_display = ("sys_created_on", "cutoff", "state", "rows", "newest", "file_name", "sys_created_by", "finished_on")
    list_filter = ("state",)
    ordering = ("-sys_created_on", "-sys_id")

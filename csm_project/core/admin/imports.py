"""The admin's import page: a staff member uploads a file for a table they may add records to,
sees a preview computed by a dry run of the bulk loader (counts, the first rows it would insert
and update, the rows it would refuse and why), then confirms to load it. Both steps run the
same ``core.bulk`` code as ``import_records``, through the one write path with its audit.

The upload is kept in the database (``ImportUpload``) between the preview and the
confirmation, so any app server may serve either step; it is deleted once loaded or cancelled,
and forgotten uploads go after ``ADMIN_IMPORT_KEEP_HOURS``. Files above
``ADMIN_IMPORT_MAX_BYTES`` are refused. Rights: Django's ``add`` permission of the table's model
(its staff role, docs/admin.md), and ``change`` as well to update records (``upsert``); the
field rights of the acting user apply to each update as in the APIs.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from csm_project.core.access.staff_roles import may_import
from csm_project.core.bulk.uploads import LoadOptions, load_content
from csm_project.core.models import ImportUpload
from csm_project.registry import TableSpec, all_tables

ENCODINGS = [
    ("", "UTF-8 (with or without byte order mark)"),
    ("cp1252", "Windows-1252 (Excel on Windows)"),
    ("latin-1", "Latin-1 (ISO-8859-1)"),
    ("mac-roman", "Mac Roman"),
]


def importable_tables(user) -> dict[str, TableSpec]:
    """The registry tables ``user`` may load records into."""
    return {name: table for name, table in sorted(all_tables().items()) if may_import(user, table.model)}


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV (a header row of field names or labels), JSON lines, or a JSON array.")
    table = forms.ChoiceField()
    upsert = forms.BooleanField(
        required=False, label="Update matching records", help_text="A row whose key matches a record updates it."
    )
    key = forms.CharField(
        required=False, max_length=80, label="Match on", help_text="Column matching rows to records (default sys_id)."
    )
    encoding = forms.ChoiceField(choices=ENCODINGS, required=False)
    skip_bad = forms.BooleanField(
        required=False, label="Skip bad rows", help_text="Load the good rows even if some are refused."
    )

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["table"].choices = [(name, name) for name in importable_tables(user)]

    def clean_file(self):
        file = self.cleaned_data["file"]
        limit = settings.ADMIN_IMPORT_MAX_BYTES
        if file.size > limit:
            raise forms.ValidationError(f"The file has {file.size} bytes; at most {limit} are taken here.")
        if not file.size:
            raise forms.ValidationError("The file is empty.")
        return file

    def clean(self):
        data = super().clean()
        table = all_tables().get(data.get("table", ""))
        if table is not None and data.get("upsert") and not may_import(self.user, table.model, upsert=True):
            self.add_error("upsert", "Your role may add records to this table, not change them.")
        if data.get("key") and not data.get("upsert"):
            self.add_error("key", "A key matches rows for updates: tick 'Update matching records' too.")
        return data


def _context(request, **extra) -> dict:
    return {**admin.site.each_context(request), "title": "Import a file", **extra}


def import_start(request):
    if not importable_tables(request.user):
        raise PermissionDenied
    initial = {"table": request.GET.get("table")}
    form = ImportForm(request.user, request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        ImportUpload.objects.filter(
            created__lt=timezone.now() - timedelta(hours=settings.ADMIN_IMPORT_KEEP_HOURS)
        ).delete()
        data, file = form.cleaned_data, form.cleaned_data["file"]
        options = LoadOptions(
            upsert=data["upsert"], key=data["key"] or None, encoding=data["encoding"] or None, skip_bad=data["skip_bad"]
        )
        upload = ImportUpload.objects.create(
            user=request.user,
            table=data["table"],
            name=file.name[:255],
            options=options.as_dict(),
            content=file.read(),
            size=file.size,
        )
        return HttpResponseRedirect(reverse("admin_import_preview", args=[upload.pk]))
    return TemplateResponse(request, "admin/csm/import_start.html", _context(request, form=form))


def import_preview(request, upload):
    upload = get_object_or_404(ImportUpload, pk=upload, user=request.user)
    table = all_tables().get(upload.table)
    options = LoadOptions.from_dict(upload.options)
    if table is None or not may_import(request.user, table.model, upsert=options.upsert):
        raise PermissionDenied
    reason = f"admin import {upload.name}"
    if request.method == "POST" and "_cancel" in request.POST:
        upload.delete()
        messages.info(request, f"The import of {upload.name} was cancelled; nothing was written.")
        return HttpResponseRedirect(reverse("admin_import"))
    confirm = request.method == "POST" and "_confirm" in request.POST
    error, result = None, None
    try:
        result = load_content(
            upload.table, bytes(upload.content), options, user=request.user, reason=reason, dry_run=not confirm
        )
    except ValueError as exc:
        error = str(exc)
    if confirm and result is not None and result.committed:
        upload.delete()
        messages.success(
            request,
            f"{upload.name}: {result.created} {table.name} record(s) created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.rejected} bad row(s) skipped.",
        )
        return HttpResponseRedirect(_changelist(table))
    loadable = result is not None and result.written > 0 and (not result.rejected or options.skip_bad) and not confirm
    context = _context(
        request,
        title=f"Import {upload.name} into {table.name}",
        upload=upload,
        table=table,
        options=options,
        result=result,
        error=error,
        confirmed=confirm,
        loadable=loadable,
    )
    return TemplateResponse(request, "admin/csm/import_preview.html", context)


def _changelist(table: TableSpec) -> str:
    opts = table.model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    except NoReverseMatch:
        return reverse("admin:index")

"""Staff admin for the interactions app: interactions, connectors, queues and documents.

Interactions are created and closed through the same services as the API (so the number,
the default documents and the close rules hold), and changed through the record services
(their refusals are form errors); state and the system-set fields are read-only here, and
closing is an admin action.
"""

import json

from django import forms
from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html, format_html_join

from csm_project.core.admin import SYSTEM_FIELDSET, DomainRecordForm, SysRecordAdmin
from csm_project.core.records.journal import journal_add
from csm_project.core.records.services import record_update
from interactions.models import (
    CLOSED_STATES,
    Interaction,
    InteractionConnector,
    InteractionJsonBlob,
    LiveGroupProfile,
    Queue,
)
from interactions.selectors import interaction_document, interaction_work_notes
from interactions.services import interaction_close, interaction_create


class InteractionForm(DomainRecordForm):
    work_note = forms.CharField(
        label="Add a work note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Saved to the journal with your name when you save.",
    )

    class Meta:
        model = Interaction
        fields = ("channel", "queue", "type", "short_description", "opened_for", "assigned_to")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The create service refuses inactive channels and queues; offer only active ones (and
        # the record's own, so an interaction whose queue was retired can still be saved).
        if "channel" in self.fields:
            self.fields["channel"].queryset = InteractionConnector.objects.filter(active=True)
        if "queue" in self.fields:
            current = self.instance.queue_id if self.instance.pk and not self.instance._state.adding else None
            self.fields["queue"].queryset = Queue.objects.filter(Q(active=True) | Q(pk=current))


@admin.register(Interaction)
class InteractionAdmin(SysRecordAdmin):
    form = InteractionForm
    list_display = ("number", "state", "type", "queue", "channel", "short_description", "opened_at", "assigned_to")
    list_filter = ("state", "type", "channel", "queue")
    search_fields = ("number",)
    list_select_related = ("queue", "channel", "assigned_to")
    ordering = ("-number",)
    raw_id_fields = ("opened_for", "assigned_to")
    readonly_fields = (
        "number",
        "state",
        "opened_by",
        "opened_at",
        "closed_by",
        "closed_at",
        "context_table",
        "context_document",
        "context_value",
        "channel_metadata_table",
        "channel_metadata_document",
        "work_notes",
        *SysRecordAdmin.readonly_fields,
    )
    fieldsets = (
        (None, {"fields": ("number", "state", "type", "channel", "queue", "short_description")}),
        (
            "People and times",
            {"fields": ("opened_for", "assigned_to", "opened_by", "opened_at", "closed_by", "closed_at")},
        ),
        (
            "Documents",
            {
                "fields": (
                    "context_table",
                    "context_document",
                    "context_value",
                    "channel_metadata_table",
                    "channel_metadata_document",
                )
            },
        ),
        ("Work notes", {"fields": ("work_note", "work_notes")}),
        SYSTEM_FIELDSET,
    )
    actions = ("close_interactions",)
    journal_in_form = True

    def get_readonly_fields(self, request, obj=None):
        # The channel an interaction came in through is history, not a setting.
        return ("channel", *self.readonly_fields) if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            data = form.cleaned_data
            created = interaction_create(
                channel=obj.channel_id,
                queue=obj.queue_id,
                opened_by=request.user,
                opened_for=data.get("opened_for"),
                assigned_to=data.get("assigned_to"),
                short_description=data.get("short_description"),
                type=data.get("type"),
            )
            # The admin redirects to and logs ``obj``: make it the stored record.
            obj.__dict__.update(created.__dict__)
        else:
            original = Interaction.objects.get(pk=obj.pk)
            obj.__dict__.update(record_update(instance=original, values=form.domain_values).__dict__)
        note = form.cleaned_data.get("work_note")
        if note and note.strip():
            journal_add(record=obj, text=note.strip())

    @admin.action(description="Close selected interactions")
    def close_interactions(self, request, queryset) -> None:
        open_ids = list(queryset.exclude(state__in=CLOSED_STATES).values_list("sys_id", flat=True))
        for sys_id in open_ids:
            interaction_close(interaction_id=sys_id, closed_by=request.user)
        self.message_user(request, f"{len(open_ids)} interaction(s) closed.", messages.SUCCESS)

    @admin.display(description="Context")
    def context_value(self, obj: Interaction) -> str:
        document = interaction_document(table=obj.context_table, sys_id=obj.context_document)
        if document is None:
            return "-"
        value = getattr(document, "value", None)
        if isinstance(value, dict):
            return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False))
        return str(document)

    @admin.display(description="Work notes")
    def work_notes(self, obj: Interaction) -> str:
        if obj.pk is None:
            return "-"
        notes = interaction_work_notes(interaction=obj)
        if not notes:
            return "-"
        return format_html_join(
            "",
            "<p><strong>{} {}</strong><br>{}</p>",
            (
                (note.sys_created_on.strftime("%Y-%m-%d %H:%M:%S"), note.author or note.sys_created_by, note.value)
                for note in notes
            ),
        )


@admin.register(InteractionConnector)
class InteractionConnectorAdmin(SysRecordAdmin):
    list_display = ("name", "active", "sys_id")
    list_filter = ("active",)
    search_fields = ("name", "sys_id")


@admin.register(Queue)
class QueueAdmin(SysRecordAdmin):
    list_display = ("name", "phone_number", "active", "sys_id")
    list_filter = ("active",)
    search_fields = ("name", "phone_number", "sys_id")


@admin.register(InteractionJsonBlob)
class InteractionJsonBlobAdmin(SysRecordAdmin):
    list_display = ("sys_id", "sys_created_on")
    search_fields = ("sys_id",)


@admin.register(LiveGroupProfile)
class LiveGroupProfileAdmin(SysRecordAdmin):
    list_display = ("sys_id", "name", "sys_created_on")
    search_fields = ("sys_id", "name")

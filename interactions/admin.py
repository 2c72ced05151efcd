"""Staff admin for the interactions app: interactions, connectors, queues and documents.

Interactions are created and closed through the same services as the API (so the number,
the default documents and the close rules hold), and changed through the record services
(their refusals are form errors); state and the system-set fields are read-only here, and
closing is an admin action for staff who may change interactions.
"""

import json

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html

from csm_project.core.admin import SYSTEM_FIELDSET, SysRecordAdmin, SysRecordForm
from csm_project.core.records.field_rules import WORK_NOTES
from csm_project.core.records.journal import work_note_text
from interactions.models import (
    CLOSED_STATES,
    Interaction,
    InteractionConnector,
    InteractionJsonBlob,
    LiveGroupProfile,
    Queue,
)
from interactions.selectors import interaction_document
from interactions.services import interaction_close, interaction_create


class InteractionForm(SysRecordForm):
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
        SYSTEM_FIELDSET,
    )
    actions = ("close_interactions",)

    def get_readonly_fields(self, request, obj=None):
        # The channel an interaction came in through is history, not a setting.
        return ("channel", *self.readonly_fields) if obj is not None else self.readonly_fields

    def create_record(self, request, values, form) -> Interaction:
        """Through the API's create service: the number, the state from the queue and the
        default context documents."""
        data = form.cleaned_data
        created = interaction_create(
            channel=values.get("channel"),
            queue=values.get("queue") or None,
            opened_by=request.user,
            opened_for=data.get("opened_for"),
            assigned_to=data.get("assigned_to"),
            short_description=data.get("short_description"),
            type=data.get("type"),
            work_note=work_note_text(values.get(WORK_NOTES)),
        )
        return created

    @admin.action(description="Close selected interactions", permissions=["change"])
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

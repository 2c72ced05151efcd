"""Staff admin for customer service cases: lists with the encoded-query box, filters by state
and priority (shown by their labels), the journal box on the form, the audit history under
each case. Saves go through the record services, so the life cycle holds here as in the APIs
(a closed case is changed by an admin only; resolving needs a resolution code and notes)."""

from django.contrib import admin

from cases.models import Case
from csm_project.core.admin import SYSTEM_FIELDSET, SysRecordAdmin


@admin.register(Case)
class CaseAdmin(SysRecordAdmin):
    list_display = ("number", "short_description", "state", "priority", "account", "assigned_to", "sys_created_on")
    list_filter = ("state", "priority", "contact_type")
    search_fields = ("number", "short_description", "account__name")
    list_select_related = ("account", "assigned_to")
    raw_id_fields = (
        "account", "contact", "consumer", "partner", "partner_contact", "parent", "assignment_group",
        "assigned_to", "opened_by",
    )  # fmt: skip
    readonly_fields = (
        *SysRecordAdmin.readonly_fields, "number", "active", "resolved_at", "resolved_by", "closed_at", "closed_by",
    )  # fmt: skip
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number", "short_description", "description", "state", "active", "priority", "impact",
                    "urgency", "category", "escalation", "contact_type", "notify", "parent",
                )
            },
        ),
        ("Customer", {"fields": ("account", "contact", "consumer", "partner", "partner_contact", "product")}),
        ("Assignment", {"fields": ("assignment_group", "assigned_to", "opened_at", "opened_by", "due_date")}),
        (
            "Resolution",
            {"fields": ("business_impact", "cause", "resolution_code", "close_notes", "resolved_at", "resolved_by",
                        "closed_at", "closed_by")},
        ),
        ("External system", {"classes": ("collapse",), "fields": ("correlation_id", "correlation_display")}),
        SYSTEM_FIELDSET,
    )  # fmt: skip

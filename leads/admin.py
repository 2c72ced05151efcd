"""Staff admin for lead management: leads with their line items, the product catalogue, user
groups. Choice lists (stage, lead source, ...) are edited in the platform's Choice admin
(table ``sn_lead_mgmt_core_lead``); number counters (LEAD, LEADL) in the Number counter admin.

Leads and line items are checked and saved through the record services, so staff are held to
the rules every API is (choice values from the lists, a whole lead score from 1 to 100, closing
stamps the closed date, ...). Choice fields are selects fed by those lists, lists and filters
show their labels, and a lead's or line item's form adds work notes to its journal.

Pitfall: admin edits write no line-item journal entries on the lead, as an admin correction
should not pose as an API change.
"""

from django.contrib import admin

from csm_project.core.admin import SYSTEM_FIELDSET, SysRecordAdmin, SysRecordInline
from leads.models import Lead, LeadLineItem, ProductOffering, UnitOfMeasure, UserGroup


@admin.register(UserGroup)
class UserGroupAdmin(SysRecordAdmin):
    list_display = ("name", "email", "manager", "active")
    search_fields = ("name",)
    raw_id_fields = ("manager",)


@admin.register(UnitOfMeasure)
class UnitOfMeasureAdmin(SysRecordAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)


@admin.register(ProductOffering)
class ProductOfferingAdmin(SysRecordAdmin):
    list_display = ("code", "name", "active")
    search_fields = ("code", "name")
    list_filter = ("active",)


class LeadLineItemInline(SysRecordInline):
    model = LeadLineItem
    fields = ("number", "product_offering", "quantity", "unit_of_measurement", "external_id", "external_system")
    readonly_fields = ("number",)
    autocomplete_fields = ("product_offering",)
    extra = 0


@admin.register(Lead)
class LeadAdmin(SysRecordAdmin):
    list_display = ("number", "last_name", "first_name", "company", "stage", "lead_score", "owner", "sys_created_on")
    list_filter = ("stage", "lead_rating", "lead_source", "industry")
    search_fields = ("number", "last_name", "first_name", "company", "email")
    list_select_related = ("owner",)
    raw_id_fields = ("owner", "account", "contact", "consumer", "lead_group", "similar_lead")
    readonly_fields = (*SysRecordAdmin.readonly_fields, "number", "closed_date")
    inlines = [LeadLineItemInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "short_description",
                    "stage",
                    "lead_rating",
                    "lead_score",
                    "lead_source",
                    "lead_type",
                    "industry",
                    "owner",
                    "lead_group",
                    "similar_lead",
                    "closed_date",
                    "reason",
                    "other_reason",
                )
            },
        ),
        (
            "Person",
            {
                "fields": (
                    "first_name",
                    "middle_name",
                    "last_name",
                    "title",
                    "company",
                    "email",
                    "business_phone",
                    "mobile_phone",
                    "website",
                    "do_not_call",
                    "do_not_email",
                    "do_not_share",
                )
            },
        ),
        ("Customer", {"fields": ("account", "contact", "consumer")}),
        ("Address", {"fields": ("street", "city", "state", "zip", "country")}),
        ("External system", {"classes": ("collapse",), "fields": ("external_id", "external_system")}),
        SYSTEM_FIELDSET,
    )


@admin.register(LeadLineItem)
class LeadLineItemAdmin(SysRecordAdmin):
    list_display = ("number", "lead", "product_offering", "quantity", "unit_of_measurement")
    search_fields = ("number", "lead__number")
    list_select_related = ("lead", "product_offering", "unit_of_measurement")
    raw_id_fields = ("lead",)
    autocomplete_fields = ("product_offering",)
    readonly_fields = (*SysRecordAdmin.readonly_fields, "number")

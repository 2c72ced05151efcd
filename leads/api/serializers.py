"""The Lead API's JSON shape (CONTRACT §5.1), as plain functions over loaded rows.

Plain functions rather than DRF serializers: a page of 100 leads with 5 line items each is 600
objects, and field-by-field serializer machinery would dominate the response time. They only
shape; everything they read is already loaded (``leads.selectors``), so they run no query.

Shape: references ``{"sys_id", "name"}`` (product offering adds ``code``) or ``null``; dates
``{"value": UTC, "display_value": caller's zone}`` or ``null``; work notes newest first as
``{"author": display name, "date": display value, "text"}``, an empty list as ``null`` (the
seed shows ``"work_notes": null``); ``sys_tags`` ``null`` when empty; numbers and booleans
native. ``sys_domain``/``sys_domain_path`` are left out: domain separation is off.
"""

from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from csm_project.api.datetimes import format_display, format_utc
from csm_project.core.models import JournalEntry
from leads.models import Lead, LeadLineItem

LEAD_KEYS = (
    "short_description", "reason", "country", "closed_date", "city", "lead_source", "external_id",
    "industry", "sys_updated_on", "title", "sys_class_name", "number", "sys_id", "business_phone",
    "similar_lead", "sys_updated_by", "mobile_phone", "street", "sys_created_on", "contact", "company",
    "state", "first_name", "email", "consumer", "sys_created_by", "zip", "owner", "website", "lead_group",
    "sys_mod_count", "last_name", "other_reason", "middle_name", "sys_tags", "do_not_share", "lead_score",
    "stage", "do_not_email", "lead_type", "work_notes", "do_not_call", "lead_rating", "account",
    "external_system", "lead_line_items",
)  # fmt: skip

LINE_ITEM_KEYS = (
    "quantity", "product_offering", "sys_mod_count", "external_id", "sys_updated_on", "sys_tags", "lead",
    "number", "sys_id", "unit_of_measurement", "sys_updated_by", "sys_created_on", "work_notes",
    "sys_created_by", "external_system",
)  # fmt: skip


def date_json(value: datetime | None, zone: tzinfo) -> dict | None:
    if value is None:
        return None
    return {"value": format_utc(value), "display_value": format_display(value, zone)}


def number_json(value: Decimal | int | None) -> int | float | None:
    """A decimal as the JSON number clients expect: ``92``, not ``"92.00"``."""
    if value is None or isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else float(value)


def reference_json(record: Any, *, code: bool = False) -> dict | None:
    if record is None:
        return None
    data = {"sys_id": record.pk, "name": record.display_value}
    if code:
        data["code"] = record.code
    return data


def tags_json(value: str | None) -> list[str] | None:
    tags = [tag.strip() for tag in (value or "").split(",") if tag.strip()]
    return tags or None


def notes_json(entries: list[JournalEntry] | None, zone: tzinfo) -> list[dict] | None:
    if not entries:
        return None
    return [
        {
            "author": (entry.author.name or entry.author.user_name) if entry.author else entry.sys_created_by,
            "date": format_display(entry.sys_created_on, zone),
            "text": entry.value,
        }
        for entry in entries
    ]


def line_item_json(item: LeadLineItem, lead: Lead, notes: list[JournalEntry] | None, zone: tzinfo) -> dict:
    return {
        "quantity": item.quantity,
        "product_offering": reference_json(item.product_offering, code=True),
        "sys_mod_count": item.sys_mod_count,
        "external_id": item.external_id,
        "sys_updated_on": date_json(item.sys_updated_on, zone),
        "sys_tags": tags_json(item.sys_tags),
        "lead": {"sys_id": lead.pk, "name": lead.number},
        "number": item.number,
        "sys_id": item.pk,
        "unit_of_measurement": reference_json(item.unit_of_measurement),
        "sys_updated_by": item.sys_updated_by,
        "sys_created_on": date_json(item.sys_created_on, zone),
        "work_notes": notes_json(notes, zone),
        "sys_created_by": item.sys_created_by,
        "external_system": item.external_system,
    }


def lead_json(
    lead: Lead,
    *,
    line_items: list[dict] | None,
    notes: list[JournalEntry] | None,
    zone: tzinfo,
    sys_class_name: str,
) -> dict:
    """Every key of the seed's lead object, in the seed's order."""
    return {
        "short_description": lead.short_description,
        "reason": lead.reason,
        "country": lead.country,
        "closed_date": date_json(lead.closed_date, zone),
        "city": lead.city,
        "lead_source": lead.lead_source,
        "external_id": lead.external_id,
        "industry": lead.industry,
        "sys_updated_on": date_json(lead.sys_updated_on, zone),
        "title": lead.title,
        "sys_class_name": sys_class_name,
        "number": lead.number,
        "sys_id": lead.pk,
        "business_phone": lead.business_phone,
        "similar_lead": reference_json(lead.similar_lead),
        "sys_updated_by": lead.sys_updated_by,
        "mobile_phone": lead.mobile_phone,
        "street": lead.street,
        "sys_created_on": date_json(lead.sys_created_on, zone),
        "contact": reference_json(lead.contact),
        "company": lead.company,
        "state": lead.state,
        "first_name": lead.first_name,
        "email": lead.email,
        "consumer": reference_json(lead.consumer),
        "sys_created_by": lead.sys_created_by,
        "zip": lead.zip,
        "owner": reference_json(lead.owner),
        "website": lead.website,
        "lead_group": reference_json(lead.lead_group),
        "sys_mod_count": lead.sys_mod_count,
        "last_name": lead.last_name,
        "other_reason": lead.other_reason,
        "middle_name": lead.middle_name,
        "sys_tags": tags_json(lead.sys_tags),
        "do_not_share": lead.do_not_share,
        "lead_score": number_json(lead.lead_score),
        "stage": lead.stage,
        "do_not_email": lead.do_not_email,
        "lead_type": lead.lead_type,
        "work_notes": notes_json(notes, zone),
        "do_not_call": lead.do_not_call,
        "lead_rating": lead.lead_rating,
        "account": reference_json(lead.account),
        "external_system": lead.external_system,
        "lead_line_items": line_items if line_items is not None else [],
    }


def plain_json(value: Any, zone: tzinfo) -> Any:
    """A dot-walked field's value (``sysparm_fields=owner.user_name``): dates as date objects,
    decimals as numbers, the rest as read (a reference as its sys_id)."""
    if isinstance(value, datetime):
        return date_json(value, zone)
    if isinstance(value, Decimal):
        return number_json(value)
    return value

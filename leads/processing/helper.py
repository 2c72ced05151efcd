"""``LeadApiHelper`` (the platform's ``LeadAPIHelperOOB``): ignored-field filtering, request
values -> model values, and leads -> JSON."""

import math
from decimal import Decimal
from typing import Any

from csm_project.api.datetimes import user_zone
from csm_project.api.fields import FieldPath, read_field, resolve_requested_fields
from csm_project.core.models import Choice, User
from csm_project.registry import get_table
from leads import selectors
from leads.api import serializers
from leads.models import LEAD_TABLE, STAGE_NEW, Lead, LeadLineItem, ProductOffering, UnitOfMeasure
from leads.processing.constants import LeadApiConstants
from leads.processing.payload import LineItemRequest, as_decimal, join_work_notes, reference_id, without_nul
from leads.services import LineItemChange


class LeadApiHelper:
    """Request filtering and conversion, and lead -> JSON."""

    def __init__(self, *, constants: LeadApiConstants, user: User) -> None:
        self.constants = constants
        self.user = user
        self.zone = user_zone(user)

    # --- requests -------------------------------------------------------------------------

    def remove_ignored_fields(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Drop unknown and ignored names; drop account, contact and consumer all three when
        both account and consumer are non-empty (the seed's rule)."""
        c = self.constants
        known = {*c.STRING_FIELDS, *c.CHOICE_FIELDS, *c.BOOLEAN_FIELDS, *c.REFERENCE_MODELS,
                 "lead_score", "work_notes", "lead_line_items"}
        data = {key: without_nul(value) for key, value in payload.items()
                if key in known and key not in c.IGNORED_FIELDS}
        if reference_id(data.get("account"))[1] and reference_id(data.get("consumer"))[1]:
            for name in ("account", "contact", "consumer"):
                data.pop(name, None)
        return data

    def line_item_requests(self, data: dict[str, Any], *, lead: Lead | None) -> list[LineItemRequest]:
        """The first ``MAX_LINE_ITEMS`` line items, resolved (three queries at most).

        On PATCH (``lead`` given) an item with a ``sys_id`` of this lead's item updates it, one
        with any other sys_id is ignored; on POST the sys_id is a system field and ignored.
        """
        raw = data.get("lead_line_items")
        if not isinstance(raw, list):
            return []
        entries = [(index, entry) for index, entry in enumerate(raw[: self.constants.MAX_LINE_ITEMS])
                   if isinstance(entry, dict)]
        existing_ids = [entry.get("sys_id") for _, entry in entries
                        if lead is not None and isinstance(entry.get("sys_id"), str) and entry.get("sys_id")]
        existing = selectors.line_items_of(lead=lead, sys_ids=existing_ids) if lead is not None else {}
        offerings = selectors.product_offerings_by_id(
            sys_ids=[reference_id(entry.get("product_offering"))[1] for _, entry in entries])
        units = selectors.units_by_id(
            sys_ids=[reference_id(entry.get("unit_of_measurement"))[1] for _, entry in entries])
        requests = []
        for index, entry in entries:
            item = None
            sys_id = entry.get("sys_id")
            if lead is not None and isinstance(sys_id, str) and sys_id:
                item = existing.get(sys_id)
                if item is None:
                    continue  # another lead's item, or none at all: ignored
            requests.append(self.line_item_request(index, entry, item, offerings, units))
        return requests

    def line_item_request(
        self,
        index: int,
        entry: dict[str, Any],
        item: LeadLineItem | None,
        offerings: dict[str, ProductOffering],
        units: dict[str, UnitOfMeasure],
    ) -> LineItemRequest:
        entry = {key: value for key, value in entry.items() if key not in self.constants.LINE_ITEM_IGNORED_FIELDS}
        values: dict[str, Any] = {}
        offering_given = "product_offering" in entry
        offering = offerings.get(reference_id(entry.get("product_offering"))[1] or "")
        if offering is not None:
            values["product_offering"] = offering
        quantity = self.whole_number(entry.get("quantity"))
        if quantity is not None and quantity >= 1:
            values["quantity"] = quantity
        elif item is None:
            values["quantity"] = 1
        if "unit_of_measurement" in entry:
            usable, unit_id = reference_id(entry["unit_of_measurement"])
            if usable and (unit_id is None or unit_id in units):
                values["unit_of_measurement"] = units.get(unit_id) if unit_id else None
        for name in self.constants.LINE_ITEM_STRING_FIELDS:
            if name in entry:
                text = self.text(entry[name])
                if text is not False:
                    values[name] = text
        change = LineItemChange(item=item, values=values, work_note=join_work_notes(entry.get("work_notes")))
        return LineItemRequest(index=index, item=item, offering_given=offering_given, offering=offering,
                               change=change)

    @staticmethod
    def text(value: Any) -> str | None | bool:
        """A string field's value: None clears, numbers become text; False when unusable."""
        if value is None or isinstance(value, str):
            return value or None
        if isinstance(value, float) and not math.isfinite(value):
            return False  # JSON's 1e400 reads as infinity: not a value anyone typed
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return str(value)
        return False

    @staticmethod
    def whole_number(value: Any) -> int | None:
        """A whole number a 32-bit column holds (a quantity), else None."""
        number = None
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) < 12:
            number = int(value.strip())
        return number if number is not None and -(2**31) <= number < 2**31 else None

    @staticmethod
    def decimal(value: Any) -> Decimal | None:
        """A number (or numeric string) as a Decimal; None when it is not one."""
        return as_decimal(value)

    def choice_lists(self, names: list[str]) -> dict[str, frozenset[str]]:
        """Active values of the given choice fields, in one query (CONTRACT §5.3: data)."""
        lists: dict[str, set[str]] = {name: set() for name in names}
        if names:
            rows = Choice.objects.filter(table=LEAD_TABLE, element__in=names, inactive=False)
            for element, value in rows.values_list("element", "value"):
                lists[element].add(value)
        return {name: frozenset(values) for name, values in lists.items()}

    def lead_values(self, data: dict[str, Any], *, lead: Lead | None) -> dict[str, Any]:
        """Model field -> value for every field of the request that is usable. Invalid values of
        choice and reference fields are left out (ignored); validation ran before."""
        c = self.constants
        values: dict[str, Any] = {}
        for name in c.STRING_FIELDS:
            if name in data:
                text = self.text(data[name])
                if text is not False:
                    values[name] = text
        present_choices = [name for name in c.CHOICE_FIELDS if name in data]
        allowed = self.choice_lists(present_choices)
        for name in present_choices:
            value = data[name]
            if value is None or value == "":
                if name != "stage":
                    values[name] = None
            elif isinstance(value, str) and value in allowed[name]:
                values[name] = value
        for name in c.BOOLEAN_FIELDS:
            flag = data.get(name)
            if isinstance(flag, str) and flag.lower() in ("true", "false"):
                flag = flag.lower() == "true"
            if isinstance(flag, bool):
                values[name] = flag
        if "lead_score" in data:
            values["lead_score"] = self.decimal(data["lead_score"])
        for name, model in c.REFERENCE_MODELS.items():
            if name not in data:
                continue
            usable, sys_id = reference_id(data[name])
            if not usable:
                continue
            if sys_id is None:
                values[name] = None
                continue
            target = model.objects.filter(pk=sys_id).first()
            if target is not None and not (lead is not None and name == "similar_lead" and target.pk == lead.pk):
                values[name] = target
        if lead is None:
            values.setdefault("stage", STAGE_NEW)
            if values.get("owner") is None:
                values["owner"] = self.user
        return values

    # --- responses ------------------------------------------------------------------------

    def leads_to_json(self, leads: list[Lead], *, fields: list[str] | None = None) -> list[dict]:
        """Leads as the API shows them; ``fields`` (``sysparm_fields``) restricts the keys: top-level
        keys by name, dot-walked names (``owner.user_name``) under the dotted name, unknown ones
        left out."""
        wanted = set(serializers.LEAD_KEYS) if fields is None else {f for f in fields if f in serializers.LEAD_KEYS}
        walks = {path.name: path for path in self.dot_walks(fields)}
        related = selectors.lead_related(
            leads=leads, line_items="lead_line_items" in wanted, lead_notes="work_notes" in wanted
        )
        result = []
        for lead in leads:
            data = self.lead_to_json(lead, related)
            if fields is not None:
                data = {
                    name: data[name] if name in wanted else self.dot_walk_to_json(lead, walks[name])
                    for name in fields
                    if name in wanted or name in walks
                }
            result.append(data)
        return result

    def lead_to_json(self, lead: Lead, related: selectors.LeadRelated) -> dict:
        items = [
            self.line_item_to_json(item, lead, related.item_notes.get(item.pk))
            for item in related.line_items.get(lead.pk, ())
        ]
        return serializers.lead_json(
            lead,
            line_items=items,
            notes=related.lead_notes.get(lead.pk),
            zone=self.zone,
            sys_class_name=self.constants.SYS_CLASS_NAME,
        )

    def line_item_to_json(self, item: LeadLineItem, lead: Lead, notes) -> dict:
        return serializers.line_item_json(item, lead, notes, self.zone)

    def dot_walk_to_json(self, lead: Lead, path: FieldPath) -> Any:
        return serializers.plain_json(read_field(lead, path), self.zone)

    @staticmethod
    def dot_walks(fields: list[str] | None) -> list[FieldPath]:
        names = [name for name in fields or () if "." in name]
        return resolve_requested_fields(get_table(LEAD_TABLE), names) if names else []

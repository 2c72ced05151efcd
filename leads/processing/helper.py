"""``LeadApiHelper`` (the platform's ``LeadAPIHelperOOB``): the Lead API's silent-ignore rules,
request values -> domain values, and leads -> JSON.

What the API ignores silently (and the domain would refuse): unknown names, the configurable
ignore list, invalid values of choice and reference fields that are not mandatory, and
``account``/``contact``/``consumer`` all three when both account and consumer are given.
Everything else is handed to the domain services, which refuse what breaks a rule.
"""

import math
from decimal import Decimal
from typing import Any

from csm_project.core.access.fields import table_reader
from csm_project.core.models import User
from csm_project.core.records.datetimes import user_zone
from csm_project.core.records.field_paths import read_field, resolve_requested_fields
from csm_project.core.records.field_rules import FieldRule, table_rules
from csm_project.core.records.journal import work_note_text
from csm_project.registry import FieldType, FieldWalk, get_table
from leads import selectors
from leads.models import LEAD_TABLE, LINE_ITEM_TABLE, Lead, LeadLineItem, ProductOffering, UnitOfMeasure
from leads.processing import shape
from leads.processing.constants import LeadApiConstants
from leads.processing.payload import as_decimal, reference_id, without_nul
from leads.services import LineItemChange

REQUEST_LISTS = ("work_notes", "lead_line_items")


class LeadApiHelper:
    """Request filtering and conversion, and lead -> JSON."""

    def __init__(self, *, constants: LeadApiConstants, user: User) -> None:
        self.constants = constants
        self.user = user
        self.zone = user_zone(user)
        self.rules = table_rules(LEAD_TABLE)
        self.item_rules = table_rules(LINE_ITEM_TABLE)

    # --- requests -------------------------------------------------------------------------

    def remove_ignored_fields(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Drop unknown and ignored names; drop account, contact and consumer all three when
        both account and consumer are non-empty (the seed's rule)."""
        known = {*self.rules.fields, *REQUEST_LISTS}
        data = {
            key: without_nul(value)
            for key, value in payload.items()
            if key in known and key not in self.constants.IGNORED_FIELDS
        }
        if reference_id(data.get("account"))[1] and reference_id(data.get("consumer"))[1]:
            for name in ("account", "contact", "consumer"):
                data.pop(name, None)
        return data

    def line_item_requests(self, data: dict[str, Any], *, lead: Lead | None) -> list[LineItemChange]:
        """The first ``MAX_LINE_ITEMS`` line items, read (three queries at most).

        On PATCH (``lead`` given) an item with a ``sys_id`` of this lead's item updates it, one
        with any other sys_id is ignored; on POST the sys_id is a system field and ignored.
        """
        raw = data.get("lead_line_items")
        if not isinstance(raw, list):
            return []
        entries = [
            (index, entry)
            for index, entry in enumerate(raw[: self.constants.MAX_LINE_ITEMS])
            if isinstance(entry, dict)
        ]
        existing_ids = [
            entry["sys_id"] for _, entry in entries if lead is not None and isinstance(entry.get("sys_id"), str)
        ]
        existing = selectors.line_items_of(lead=lead, sys_ids=existing_ids) if lead is not None else {}
        offerings = selectors.product_offerings_by_id(
            sys_ids=[reference_id(entry.get("product_offering"))[1] for _, entry in entries]
        )
        units = selectors.units_by_id(
            sys_ids=[reference_id(entry.get("unit_of_measurement"))[1] for _, entry in entries]
        )
        changes = []
        for index, entry in entries:
            item = None
            sys_id = entry.get("sys_id")
            if lead is not None and isinstance(sys_id, str) and sys_id:
                item = existing.get(sys_id)
                if item is None:
                    continue  # another lead's item, or none at all: ignored
            changes.append(self.line_item_request(index, entry, item, offerings, units))
        return changes

    def line_item_request(
        self,
        index: int,
        entry: dict[str, Any],
        item: LeadLineItem | None,
        offerings: dict[str, ProductOffering],
        units: dict[str, UnitOfMeasure],
    ) -> LineItemChange:
        entry = {key: value for key, value in entry.items() if key not in self.constants.LINE_ITEM_IGNORED_FIELDS}
        values: dict[str, Any] = {}
        if "product_offering" in entry or item is None:
            # Given but unknown, or missing on a new item: left empty, which the domain refuses.
            values["product_offering"] = offerings.get(reference_id(entry.get("product_offering"))[1] or "")
        quantity = self.whole_number(entry.get("quantity"))
        if quantity is not None and quantity >= 1:
            values["quantity"] = quantity
        elif item is None:
            values["quantity"] = 1
        if "unit_of_measurement" in entry:
            usable, unit_id = reference_id(entry["unit_of_measurement"])
            if usable and (unit_id is None or unit_id in units):
                values["unit_of_measurement"] = units.get(unit_id) if unit_id else None
        for rule in self.item_rules.fields.values():
            if rule.spec.type is FieldType.STRING and rule.name in entry:
                text = self.text(entry[rule.name])
                if text is not False:
                    values[rule.name] = text
        return LineItemChange(
            item=item, values=values, work_note=work_note_text(entry.get("work_notes")), position=index
        )

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

    def lead_values(self, data: dict[str, Any], *, lead: Lead | None) -> dict[str, Any]:
        """Model field -> value for the fields of the request, read by the field's type. Invalid
        values of optional choice and reference fields are left out (the API ignores them);
        anything else unreadable is passed on as given for the domain to refuse."""
        present = [self.rules.fields[name] for name in data if name in self.rules.fields]
        choices = self.rules.load_choices([rule.name for rule in present if rule.spec.type is FieldType.CHOICE])
        values: dict[str, Any] = {}
        for rule in present:
            value = self.field_value(rule, data[rule.name], choices, lead=lead)
            if value is not _IGNORED:
                values[rule.name] = value
        if lead is None and values.get("owner") is None:
            values["owner"] = self.user
        return values

    def field_value(self, rule: FieldRule, value: Any, choices: dict[str, dict[str, str]], *, lead: Lead | None) -> Any:
        kind = rule.spec.type
        if kind is FieldType.STRING:
            if rule.required:
                return value if isinstance(value, str) else None  # a mandatory text must be text
            text = self.text(value)
            return _IGNORED if text is False else text
        if kind is FieldType.CHOICE:
            if value is None or value == "":
                return _IGNORED if rule.required or rule.empty is not None else None
            return value if isinstance(value, str) and value in choices[rule.name] else _IGNORED
        if kind is FieldType.BOOLEAN:
            if isinstance(value, str) and value.lower() in ("true", "false"):
                value = value.lower() == "true"
            return value if isinstance(value, bool) else _IGNORED
        if kind is FieldType.DECIMAL:
            if value is None or value == "":
                return None
            number = self.decimal(value)
            return value if number is None else number  # not a number: the domain refuses it
        if kind is FieldType.REFERENCE:
            usable, sys_id = reference_id(value)
            if not usable:
                return _IGNORED
            if sys_id is None:
                return None
            target = rule.model_field.related_model.objects.filter(pk=sys_id).first()
            if target is None or (lead is not None and rule.name == "similar_lead" and target.pk == lead.pk):
                return _IGNORED
            return target
        return _IGNORED

    # --- responses ------------------------------------------------------------------------

    def leads_to_json(
        self, leads: list[Lead], *, fields: list[str] | None = None, related: selectors.LeadRelated | None = None
    ) -> list[dict]:
        """Leads as the API shows them; ``fields`` (``sysparm_fields``) restricts the keys: top-level
        keys by name, dot-walked names (``owner.user_name``) under the dotted name, unknown ones
        left out. ``related``: the leads' line items and notes when the caller has them (else read)."""
        wanted = set(shape.LEAD_KEYS) if fields is None else {f for f in fields if f in shape.LEAD_KEYS}
        walks = {path.name: path for path in self.dot_walks(fields)}
        if related is None:
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
        return shape.lead_json(
            lead,
            line_items=items,
            notes=related.lead_notes.get(lead.pk),
            zone=self.zone,
            sys_class_name=self.constants.SYS_CLASS_NAME,
        )

    def line_item_to_json(self, item: LeadLineItem, lead: Lead, notes) -> dict:
        return shape.line_item_json(item, lead, notes, self.zone)

    def dot_walk_to_json(self, lead: Lead, path: FieldWalk) -> Any:
        return shape.plain_json(read_field(lead, path), self.zone)

    def dot_walks(self, fields: list[str] | None) -> list[FieldWalk]:
        """The dot-walked names of ``fields`` that resolve, through tables the caller may read."""
        names = [name for name in fields or () if "." in name]
        if not names:
            return []
        return resolve_requested_fields(get_table(LEAD_TABLE), names, may_read=table_reader(self.user))


_IGNORED = object()

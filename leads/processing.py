"""The Lead API's processing steps as replaceable classes (CONTRACT §5.5).

The platform ships ``LeadAPIProcessUtilOOB``, ``LeadApiValidationUtilOOB``, ``LeadAPIHelperOOB``
and ``LeadAPIConstantsOOB`` and lets an instance override any method. Here:

- ``LeadApiProcessor``: retrieve (one lead, a page of leads), create, update;
- ``LeadApiValidator``: the 400 rules of §5.3 / §5.4, all errors of a request at once;
- ``LeadApiHelper``: lead -> JSON, ignored-field filtering, request values -> model values;
- ``LeadApiConstants``: messages, limits, the configurable ignore list.

A deployment replaces any of them with a subclass through the ``LEAD_API`` setting::

    LEAD_API = {"validator": "myco.leads.StricterValidator"}

``lead_api_processor(user=...)`` is the one place the views obtain them; it reads the setting on
every call, so ``override_settings`` works in tests.

Pitfall: the processor's ``update`` runs validation and writes in one transaction with the lead
row locked, so the closed-stage rule cannot race a concurrent PATCH.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from contacts.models import Account, Consumer, Contact
from csm_project.api.datetimes import user_zone
from csm_project.api.errors import ApiError, RecordNotFound
from csm_project.api.fields import FieldPath, read_field, resolve_requested_fields, select_related_paths
from csm_project.core.models import SYSTEM_FIELDS, Choice, User
from csm_project.registry import get_table
from leads import selectors, services
from leads.api import serializers
from leads.models import (
    CLOSED_STAGES,
    LEAD_TABLE,
    STAGE_NEW,
    STAGE_QUALIFIED,
    Lead,
    LeadLineItem,
    ProductOffering,
    UnitOfMeasure,
    UserGroup,
)
from leads.services import LineItemChange

DEFAULT_CLASSES = {
    "processor": "leads.processing.LeadApiProcessor",
    "validator": "leads.processing.LeadApiValidator",
    "helper": "leads.processing.LeadApiHelper",
    "constants": "leads.processing.LeadApiConstants",
}


class LeadApiConstants:
    """Messages, limits and field lists of the Lead API. Subclass to change any of them."""

    SYS_CLASS_NAME = "Lead"
    MAX_LINE_ITEMS = 100
    DEFAULT_LIMIT = 20
    MAX_LIMIT = 100

    # Request fields dropped before anything else looks at the request: system fields (never
    # writable through the API) and computed ones.
    IGNORED_FIELDS = frozenset({*SYSTEM_FIELDS, "number", "closed_date", "sys_class_name"})
    LINE_ITEM_IGNORED_FIELDS = frozenset({*SYSTEM_FIELDS, "number", "lead"})

    STRING_FIELDS = (
        "short_description", "reason", "other_reason", "first_name", "middle_name", "last_name", "title",
        "company", "email", "business_phone", "mobile_phone", "website", "street", "city", "state", "zip",
        "country", "external_id", "external_system",
    )  # fmt: skip
    CHOICE_FIELDS = ("stage", "lead_source", "lead_rating", "lead_type", "industry")
    BOOLEAN_FIELDS = ("do_not_call", "do_not_email", "do_not_share")
    REFERENCE_MODELS = {
        "owner": User,
        "account": Account,
        "contact": Contact,
        "consumer": Consumer,
        "lead_group": UserGroup,
        "similar_lead": Lead,
    }
    PHONE_FIELDS = ("business_phone", "mobile_phone")
    LINE_ITEM_STRING_FIELDS = ("external_id", "external_system")
    # Maximum lengths the platform enforces with a 400 (other strings: the column's length).
    MAX_LENGTHS = {"reason": 40, "short_description": 160, "other_reason": 160}

    EMAIL_PATTERN = re.compile(
        r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
    )
    # Digits with an optional leading +, spaces, dashes, dots and parentheses; 7 to 15 digits.
    PHONE_PATTERN = re.compile(r"\+?[0-9 ().-]+")
    PHONE_DIGITS = (7, 15)
    LEAD_SCORE_RANGE = (Decimal(1), Decimal(100))

    INVALID_PAYLOAD = "Invalid payload"
    EMPTY_BODY = "Invalid/empty request body."
    MANDATORY = "Mandatory field is either missing or invalid."
    INVALID_EMAIL = "Invalid email address."
    INVALID_PHONE = "Invalid phone number."
    INVALID_LEAD_SCORE = "Lead score must be a number from 1 to 100."
    TOO_LONG = "Value is longer than the maximum of {max_length} characters."
    QUALIFY_NOT_SUPPORTED = "Qualifying lead is not supported using the API"
    LEAD_CLOSED = "Lead is closed and cannot be updated."
    INVALID_LIMIT = "Invalid limit"
    INVALID_LIMIT_DETAIL = "sysparm_limit must be a whole number from 1 to {max_limit}"
    INVALID_OFFSET = "Invalid offset"
    INVALID_OFFSET_DETAIL = "sysparm_offset must be a whole number, 0 or more"


class LeadValidationError(ApiError):
    """400 with the §5.4 detail list: ``[{"<field>": "<message>"}, ...]``."""

    def __init__(self, message: str, errors: list[dict[str, str]]):
        super().__init__(message, errors, code=2)


def reference_id(value: Any) -> tuple[bool, str | None]:
    """Read a reference from a request: ``{"sys_id": "..."}`` or a bare sys_id string.

    Returns (usable, sys_id): ``(True, None)`` for an explicit empty value (clear the field),
    ``(False, None)`` for a value of the wrong shape (ignored).
    """
    if isinstance(value, dict):
        value = value.get("sys_id")
    if value is None or value == "":
        return True, None
    if selectors.is_sys_id(value):
        return True, value
    return False, None


def without_nul(value: Any, depth: int = 0) -> Any:
    """``value`` with NUL characters removed from its strings (PostgreSQL text cannot hold them),
    down to the depth a request body uses (line item -> product offering -> sys_id)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if depth > 4:
        return value
    if isinstance(value, dict):
        return {key: without_nul(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [without_nul(item, depth + 1) for item in value]
    return value


def join_work_notes(value: Any) -> str | None:
    """The ``work_notes`` objects of a request as ONE text, joined by ``,`` (the seed's rule)."""
    if isinstance(value, str):
        return value or None
    if not isinstance(value, list):
        return None
    texts = []
    for note in value:
        text = note.get("text") if isinstance(note, dict) else note
        if isinstance(text, (str, int, float)) and not isinstance(text, bool) and str(text) != "":
            texts.append(str(text))
    return ",".join(texts) or None


@dataclass
class LeadRequest:
    """A request body after ignored fields are dropped, with line items resolved."""

    data: dict[str, Any]
    line_items: list["LineItemRequest"] = field(default_factory=list)


@dataclass
class LineItemRequest:
    """One line item of a request (its position in the request's list is ``index``)."""

    index: int
    item: LeadLineItem | None
    offering_given: bool
    offering: ProductOffering | None
    change: LineItemChange


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
        if isinstance(value, bool) or value is None:
            return None
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
        return number if number.is_finite() else None

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


class LeadApiValidator:
    """The 400 rules of CONTRACT §5.3 / §5.4. ``errors_for_*`` return the detail list."""

    def __init__(self, *, constants: LeadApiConstants) -> None:
        self.constants = constants

    def body_errors(self, payload: Any) -> list[dict[str, str]]:
        if not isinstance(payload, dict) or not payload:
            return [{"request_body": self.constants.EMPTY_BODY}]
        return []

    def errors_for_create(self, request: LeadRequest) -> list[dict[str, str]]:
        errors = self.field_errors(request.data, creating=True)
        errors += self.line_item_errors(request.line_items)
        return errors

    def errors_for_update(self, lead: Lead, request: LeadRequest) -> list[dict[str, str]]:
        if lead.stage in CLOSED_STAGES:
            return [{"stage": self.constants.LEAD_CLOSED}]
        errors = []
        if request.data.get("stage") == STAGE_QUALIFIED:
            errors.append({"stage": self.constants.QUALIFY_NOT_SUPPORTED})
        errors += self.field_errors(request.data, creating=False)
        errors += self.line_item_errors(request.line_items)
        return errors

    def field_errors(self, data: dict[str, Any], *, creating: bool) -> list[dict[str, str]]:
        c = self.constants
        errors: list[dict[str, str]] = []
        if creating or "last_name" in data:
            last_name = data.get("last_name")
            if not isinstance(last_name, str) or not last_name.strip():
                errors.append({"last_name": c.MANDATORY})
        email = data.get("email")
        if email not in (None, "") and not (isinstance(email, str) and c.EMAIL_PATTERN.fullmatch(email)):
            errors.append({"email": c.INVALID_EMAIL})
        for name in c.PHONE_FIELDS:
            if not self.phone_is_valid(data.get(name)):
                errors.append({name: c.INVALID_PHONE})
        if data.get("lead_score") is not None:
            score = LeadApiHelper.decimal(data["lead_score"])
            low, high = c.LEAD_SCORE_RANGE
            if score is None or not low <= score <= high:
                errors.append({"lead_score": c.INVALID_LEAD_SCORE})
        for name in c.STRING_FIELDS:
            value = data.get(name)
            limit = c.MAX_LENGTHS.get(name) or Lead._meta.get_field(name).max_length
            if isinstance(value, (str, int, float)) and limit and len(str(value)) > limit:
                errors.append({name: c.TOO_LONG.format(max_length=limit)})
        return errors

    def phone_is_valid(self, value: Any) -> bool:
        if value in (None, ""):
            return True
        if not isinstance(value, str) or not self.constants.PHONE_PATTERN.fullmatch(value):
            return False
        digits = sum(char.isdigit() for char in value)
        low, high = self.constants.PHONE_DIGITS
        return low <= digits <= high

    def line_item_errors(self, line_items: list[LineItemRequest]) -> list[dict[str, str]]:
        errors = []
        for request in line_items:
            missing = request.offering is None and (request.item is None or request.offering_given)
            if missing:
                errors.append({f"lead_line_items[{request.index}]/product_offering": self.constants.MANDATORY})
            for name in self.constants.LINE_ITEM_STRING_FIELDS:
                value = request.change.values.get(name)
                limit = LeadLineItem._meta.get_field(name).max_length
                if isinstance(value, str) and len(value) > limit:
                    errors.append({f"lead_line_items[{request.index}]/{name}":
                                   self.constants.TOO_LONG.format(max_length=limit)})
        return errors


class LeadApiProcessor:
    """Retrieve, create and update leads: the steps the views call."""

    def __init__(
        self, *, user: User, constants: LeadApiConstants, validator: LeadApiValidator, helper: LeadApiHelper
    ) -> None:
        self.user = user
        self.constants = constants
        self.validator = validator
        self.helper = helper

    def list_queryset(self, fields: list[str] | None = None) -> QuerySet[Lead]:
        """The leads a list pages through, joined for the dot-walked ``fields`` too."""
        queryset = selectors.lead_queryset()
        walks = self.helper.dot_walks(fields)
        if walks:
            queryset = queryset.select_related(*select_related_paths(walks))
        return queryset

    def retrieve_many(self, leads: list[Lead], *, fields: list[str] | None = None) -> list[dict]:
        return self.helper.leads_to_json(leads, fields=fields)

    def retrieve(self, sys_id: str) -> dict:
        lead = selectors.lead_get(sys_id=sys_id)
        if lead is None:
            raise RecordNotFound()
        return self.helper.leads_to_json([lead])[0]

    def parse(self, payload: Any, *, lead: Lead | None) -> LeadRequest:
        errors = self.validator.body_errors(payload)
        if errors:
            raise LeadValidationError(self.constants.INVALID_PAYLOAD, errors)
        data = self.helper.remove_ignored_fields(payload)
        return LeadRequest(data=data, line_items=self.helper.line_item_requests(data, lead=lead))

    def create(self, payload: Any) -> dict:
        request = self.parse(payload, lead=None)
        errors = self.validator.errors_for_create(request)
        if errors:
            raise LeadValidationError(self.constants.INVALID_PAYLOAD, errors)
        lead = services.lead_create(
            values=self.helper.lead_values(request.data, lead=None),
            line_items=[item.change for item in request.line_items],
            work_note=join_work_notes(request.data.get("work_notes")),
        )
        return self.retrieve(lead.pk)

    def update(self, sys_id: str, payload: Any) -> dict:
        with transaction.atomic():
            lead = None
            if selectors.is_sys_id(sys_id):
                lead = Lead.objects.select_for_update().filter(pk=sys_id).first()
            if lead is None:
                raise RecordNotFound()
            request = self.parse(payload, lead=lead)
            errors = self.validator.errors_for_update(lead, request)
            if errors:
                raise LeadValidationError(self.constants.INVALID_PAYLOAD, errors)
            services.lead_update(
                lead=lead,
                values=self.helper.lead_values(request.data, lead=lead),
                line_items=[item.change for item in request.line_items],
                work_note=join_work_notes(request.data.get("work_notes")),
            )
        return self.retrieve(sys_id)


def lead_api_classes() -> dict[str, type]:
    """The classes named by the ``LEAD_API`` setting (defaults for any it leaves out)."""
    configured = {**DEFAULT_CLASSES, **getattr(settings, "LEAD_API", {})}
    return {role: import_string(configured[role]) for role in DEFAULT_CLASSES}


def lead_api_processor(*, user: User) -> LeadApiProcessor:
    """The processor the Lead API views use, built from the configured classes."""
    classes = lead_api_classes()
    constants = classes["constants"]()
    return classes["processor"](
        user=user,
        constants=constants,
        validator=classes["validator"](constants=constants),
        helper=classes["helper"](constants=constants, user=user),
    )

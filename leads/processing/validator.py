"""``LeadApiValidator`` (the platform's ``LeadApiValidationUtilOOB``): the 400 rules of
CONTRACT §5.3 / §5.4, every error of a request reported together."""

from typing import Any

from leads.models import CLOSED_STAGES, STAGE_QUALIFIED, Lead, LeadLineItem
from leads.processing.constants import LeadApiConstants
from leads.processing.payload import LeadRequest, LineItemRequest, as_decimal


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
            score = as_decimal(data["lead_score"])
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

"""``LeadApiValidator`` (the platform's ``LeadApiValidationUtilOOB``): the Lead API's own refusals
(an empty body, qualifying a lead, changing a closed lead) and its wording of every refusal as
the list of single-key objects the API answers with. The rules every write obeys (mandatory
fields, lengths, email, phones, score, line items) are the domain's (``leads.services``)."""

from typing import Any

from csm_project.core.errors import REQUIRED, FieldError
from leads import services
from leads.models import CLOSED_STAGES, STAGE_QUALIFIED, Lead
from leads.processing.constants import LeadApiConstants
from leads.processing.payload import LeadRequest


class LeadApiValidator:
    """The Lead API's own refusals; ``errors_for_*`` return ``FieldError``s, ``detail`` words them."""

    def __init__(self, *, constants: LeadApiConstants) -> None:
        self.constants = constants

    def body_errors(self, payload: Any) -> list[FieldError]:
        if not isinstance(payload, dict) or not payload:
            return [FieldError("request_body", self.constants.EMPTY_BODY)]
        return []

    def errors_for_create(self, request: LeadRequest) -> list[FieldError]:
        return self.field_errors(request.data)

    def errors_for_update(self, lead: Lead, request: LeadRequest) -> list[FieldError]:
        if lead.stage in CLOSED_STAGES:
            return [FieldError("stage", self.constants.LEAD_CLOSED)]
        errors = []
        if request.data.get("stage") == STAGE_QUALIFIED:
            errors.append(FieldError("stage", self.constants.QUALIFY_NOT_SUPPORTED))
        return errors + self.field_errors(request.data)

    def field_errors(self, data: dict[str, Any]) -> list[FieldError]:
        """Checks a deployment may make stricter than the domain's (phone numbers)."""
        return [
            FieldError(name, self.constants.INVALID_PHONE)
            for name in services.PHONE_FIELDS
            if name in data and not self.phone_is_valid(data[name])
        ]

    def phone_is_valid(self, value: Any) -> bool:
        return services.phone_is_valid(value)

    def detail(self, errors: list[FieldError]) -> list[dict[str, str]]:
        """The API's 400 detail: ``[{"<field>": "<message>"}, ...]``, one entry per field."""
        detail: list[dict[str, str]] = []
        seen: set[str] = set()
        for error in errors:
            if error.field in seen:
                continue
            seen.add(error.field)
            detail.append({error.field: self.message(error)})
        return detail

    def message(self, error: FieldError) -> str:
        if error.code == REQUIRED:
            return self.constants.MANDATORY
        return self.constants.FIELD_MESSAGES.get(error.field, error.message)

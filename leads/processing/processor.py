"""``LeadApiProcessor`` (the platform's ``LeadAPIProcessUtilOOB``): retrieve, create, update;
and ``lead_api_processor``, the one place the views get the configured classes from.

A refused request raises ``DomainError`` whose errors are already in the API's words
(``LeadApiValidator.detail`` makes the 400 detail list of them).
"""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from csm_project.core.errors import DomainError, FieldError, RecordMissing
from csm_project.core.models import User, is_sys_id
from csm_project.core.records.field_paths import select_related_paths
from csm_project.core.records.journal import work_note_text
from leads import selectors, services
from leads.models import Lead
from leads.processing.constants import LeadApiConstants
from leads.processing.helper import LeadApiHelper
from leads.processing.payload import LeadRequest
from leads.processing.validator import LeadApiValidator

DEFAULT_CLASSES = {
    "processor": "leads.processing.LeadApiProcessor",
    "validator": "leads.processing.LeadApiValidator",
    "helper": "leads.processing.LeadApiHelper",
    "constants": "leads.processing.LeadApiConstants",
}


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
        walks = self.helper.dot_walks(fields)
        if walks:
            return selectors.lead_queryset().select_related(*select_related_paths(walks))
        return selectors.lead_page_queryset()

    def retrieve_many(self, leads: list[Lead], *, fields: list[str] | None = None) -> list[dict]:
        return self.helper.leads_to_json(leads, fields=fields)

    def retrieve(self, sys_id: str) -> dict:
        lead = selectors.lead_get(sys_id=sys_id)
        if lead is None:
            raise RecordMissing("No such lead")
        return self.helper.leads_to_json([lead])[0]

    def parse(self, payload: Any, *, lead: Lead | None) -> LeadRequest:
        self.refuse(self.validator.body_errors(payload))
        data = self.helper.remove_ignored_fields(payload)
        return LeadRequest(data=data, line_items=self.helper.line_item_requests(data, lead=lead))

    def refuse(self, api_errors: list[FieldError], domain_errors: list[FieldError] = ()) -> None:
        """Raise the request's refusals in the API's words: the API's own refusals of fields the
        domain does not refuse first, then the domain's, in its order."""
        refused = {error.field for error in domain_errors}
        errors = [error for error in api_errors if error.field not in refused] + list(domain_errors)
        if errors:
            raise DomainError([FieldError(error.field, self.validator.message(error), error.code) for error in errors])

    def create(self, payload: Any) -> dict:
        request = self.parse(payload, lead=None)
        values = self.helper.lead_values(request.data, lead=None)
        write = services.lead_prepare(
            lead=None,
            values=values,
            line_items=request.line_items,
            work_note=work_note_text(request.data.get("work_notes")),
        )
        self.refuse(self.validator.errors_for_create(request), write.errors)
        lead, written = services.lead_save(write)
        # Shown from what was written: the same answer as reading it back, four queries fewer.
        return self.helper.leads_to_json([lead], related=written)[0]

    def update(self, sys_id: str, payload: Any) -> dict:
        with transaction.atomic():
            lead = None
            if is_sys_id(sys_id):
                lead = Lead.objects.select_for_update().filter(pk=sys_id).first()
            if lead is None:
                raise RecordMissing("No such lead")
            request = self.parse(payload, lead=lead)
            closed = self.validator.errors_for_update(lead, request)
            if lead.is_closed:
                self.refuse(closed)
            write = services.lead_prepare(
                lead=lead,
                values=self.helper.lead_values(request.data, lead=lead),
                line_items=request.line_items,
                work_note=work_note_text(request.data.get("work_notes")),
            )
            self.refuse(closed, write.errors)
            services.lead_save(write)
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

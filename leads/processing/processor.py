"""``LeadApiProcessor`` (the platform's ``LeadAPIProcessUtilOOB``): retrieve, create, update;
and ``lead_api_processor``, the one place the views get the configured classes from."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils.module_loading import import_string

from csm_project.api.errors import RecordNotFound
from csm_project.api.fields import select_related_paths
from csm_project.core.models import User, is_sys_id
from leads import selectors, services
from leads.models import Lead
from leads.processing.constants import LeadApiConstants
from leads.processing.helper import LeadApiHelper
from leads.processing.payload import LeadRequest, LeadValidationError, join_work_notes
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
            if is_sys_id(sys_id):
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

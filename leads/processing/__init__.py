"""The Lead API's processing steps as replaceable classes (see docs/lead-api.md).

The platform ships ``LeadAPIProcessUtilOOB``, ``LeadApiValidationUtilOOB``, ``LeadAPIHelperOOB``
and ``LeadAPIConstantsOOB`` and lets an instance override any method. Here:

- ``LeadApiProcessor``: retrieve (one lead, a page of leads), create, update;
- ``LeadApiValidator``: the API's own refusals, and its wording of every refusal;
- ``LeadApiHelper``: the API's silent-ignore rules, request values -> domain values, lead -> JSON;
- ``LeadApiConstants``: messages, limits, the configurable ignore list.

The rules every lead write obeys live in ``leads.services`` (the admin and the Table API use
them too); these classes only add what is specific to this API.

A deployment replaces any of them with a subclass through the ``LEAD_API`` setting::

    LEAD_API = {"validator": "myco.leads.StricterValidator"}

``lead_api_processor(user=...)`` is the one place the views obtain them; it reads the setting on
every call, so ``override_settings`` works in tests.

Pitfall: the processor's ``update`` runs validation and writes in one transaction with the lead
row locked, so the closed-stage rule cannot race a concurrent PATCH.
"""

from leads.processing.constants import LeadApiConstants
from leads.processing.helper import LeadApiHelper
from leads.processing.payload import LeadRequest, reference_id
from leads.processing.processor import DEFAULT_CLASSES, LeadApiProcessor, lead_api_classes, lead_api_processor
from leads.processing.validator import LeadApiValidator

__all__ = [
    "DEFAULT_CLASSES",
    "LeadApiConstants",
    "LeadApiHelper",
    "LeadApiProcessor",
    "LeadApiValidator",
    "LeadRequest",
    "lead_api_classes",
    "lead_api_processor",
    "reference_id",
]

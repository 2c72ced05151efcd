"""docs/lead-api.md: the Lead API's processing steps are classes a deployment replaces through the
``LEAD_API`` setting, overriding one method without touching the product's code."""

import pytest
from django.test import override_settings

from leads.models import Lead
from leads.processing import (
    LeadApiConstants,
    LeadApiHelper,
    LeadApiProcessor,
    LeadApiValidator,
    lead_api_processor,
)

LEAD_URL = "/api/sn_lead_mgmt_core/lead"

pytestmark = pytest.mark.django_db


class E164PhoneValidator(LeadApiValidator):
    """A deployment that only takes phone numbers in E.164 form (+ and digits)."""

    def phone_is_valid(self, value) -> bool:
        return value in (None, "") or (isinstance(value, str) and value.startswith("+") and value[1:].isdigit())


class UpperCaseCompanyHelper(LeadApiHelper):
    """A deployment that stores company names in capitals."""

    def lead_values(self, data, *, lead):
        values = super().lead_values(data, lead=lead)
        if values.get("company"):
            values["company"] = values["company"].upper()
        return values


class SmallPages(LeadApiConstants):
    DEFAULT_LIMIT = 2
    MAX_LIMIT = 3


class CompanyIsIgnored(LeadApiConstants):
    """The ignore list is configuration: this deployment never takes ``company`` from the API."""

    IGNORED_FIELDS = LeadApiConstants.IGNORED_FIELDS | {"company"}


def test_the_default_classes_are_the_products(lead_client):
    processor = lead_api_processor(user=lead_client.user)

    assert type(processor) is LeadApiProcessor
    assert (type(processor.validator), type(processor.helper), type(processor.constants)) == (
        LeadApiValidator,
        LeadApiHelper,
        LeadApiConstants,
    )


def test_a_validator_subclass_overriding_one_method_changes_the_api(lead_client, catalogue):
    body = {"last_name": "Lewis", "business_phone": "(626) 722-6969"}
    assert lead_client.post(LEAD_URL, body, format="json").status_code == 201

    with override_settings(LEAD_API={"validator": f"{__name__}.E164PhoneValidator"}):
        rejected = lead_client.post(LEAD_URL, body, format="json")
        accepted = lead_client.post(LEAD_URL, dict(body, business_phone="+16267226969"), format="json")

    assert rejected.status_code == 400
    assert rejected.json()["error"]["detail"] == [{"business_phone": "Invalid phone number."}]
    assert accepted.status_code == 201
    assert Lead.objects.count() == 2


def test_a_helper_subclass_changes_how_input_is_stored(lead_client, catalogue):
    with override_settings(LEAD_API={"helper": f"{__name__}.UpperCaseCompanyHelper"}):
        response = lead_client.post(LEAD_URL, {"last_name": "Lewis", "company": "Boxeo"}, format="json")

    assert response.status_code == 201
    assert response.json()["company"] == "BOXEO"
    assert Lead.objects.get().company == "BOXEO"


def test_a_constants_subclass_changes_the_page_limits(lead_client, make_lead):
    for _ in range(4):
        make_lead()

    with override_settings(LEAD_API={"constants": f"{__name__}.SmallPages"}):
        default_page = lead_client.get(LEAD_URL)
        too_large = lead_client.get(LEAD_URL, {"sysparm_limit": 4})

    assert (default_page.status_code, len(default_page.json())) == (206, 2)
    assert too_large.status_code == 400
    assert too_large.json()["error"]["detail"] == "sysparm_limit must be a whole number from 1 to 3"


def test_the_ignore_list_is_configurable(lead_client, catalogue):
    with override_settings(LEAD_API={"constants": f"{__name__}.CompanyIsIgnored"}):
        response = lead_client.post(
            LEAD_URL, {"last_name": "Lewis", "company": "Boxeo", "sys_id": "0" * 32}, format="json"
        )

    assert response.status_code == 201
    assert response.json()["company"] is None
    lead = Lead.objects.get()
    assert lead.company is None and lead.pk != "0" * 32


class NewLeadsOnly(LeadApiProcessor):
    """A deployment whose integrations see only the leads still new."""

    def list_queryset(self, fields=None):
        return super().list_queryset(fields).filter(stage="100_new")


def test_a_processor_subclass_narrows_the_list_even_without_a_query(lead_client, make_lead):
    new, won = make_lead(stage="100_new"), make_lead(stage="400_closed_won")

    with override_settings(LEAD_API={"processor": f"{__name__}.NewLeadsOnly"}):
        plain = lead_client.get(LEAD_URL)
        queried = lead_client.get(LEAD_URL, {"sysparm_query": "ORDERBYnumber"})

    assert [lead["sys_id"] for lead in plain.json()] == [new.pk] != [won.pk]
    assert (plain["Total-Count"], [lead["sys_id"] for lead in queried.json()]) == ("1", [new.pk])

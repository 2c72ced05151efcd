"""Fixtures of the Lead API tests: the catalogue (choices, offerings, unit) and lead builders."""

import pytest

from leads.models import Lead, LeadLineItem, ProductOffering, UnitOfMeasure

LEAD_URL = "/api/sn_lead_mgmt_core/lead"


@pytest.fixture
def catalogue(db):
    """Two product offerings and the unit Each (the choice lists come with the migrations)."""
    return {
        "modem": ProductOffering.objects.create(name="Solana Modem M Series", code="SOLANAMODE2"),
        "coverage": ProductOffering.objects.create(name="Safety Test Coverage", code="SAFETSTCVG1"),
        "each": UnitOfMeasure.objects.create(name="Each"),
    }


@pytest.fixture
def make_lead(catalogue):
    """``make_lead(items=[quantity, ...], **fields)`` -> a saved Lead with line items of the modem."""

    def make(*, items: tuple[int, ...] = (), **fields) -> Lead:
        fields.setdefault("last_name", "Wilson")
        lead = Lead.objects.create(**fields)
        for quantity in items:
            LeadLineItem.objects.create(
                lead=lead, product_offering=catalogue["modem"], quantity=quantity, unit_of_measurement=catalogue["each"]
            )
        return lead

    return make


@pytest.fixture
def lead_client(client_for):
    """A lead integrator in the Pacific zone (as the seed's caller)."""
    return client_for(
        "sn_lead_mgmt_core.lead_integrator", first_name="Abel", last_name="Tuter", time_zone="America/Los_Angeles"
    )

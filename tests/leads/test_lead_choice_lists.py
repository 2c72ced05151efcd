"""The lead choice lists come with the migrations: a new instance without the demo data
refuses a stage outside them, through the API and the record services alike."""

import pytest

from csm_project.core.errors import DomainError
from csm_project.core.models import Choice
from csm_project.core.records.services import record_create
from leads.choice_lists import CHOICES
from leads.models import LEAD_TABLE, Lead


@pytest.mark.django_db
def test_every_lead_choice_list_is_stored_by_the_migrations():
    for element, values in CHOICES.items():
        stored = set(Choice.objects.filter(name=LEAD_TABLE, element=element).values_list("value", "label"))
        assert stored == set(values), element


@pytest.mark.django_db
def test_a_new_instance_refuses_a_stage_outside_the_list():
    with pytest.raises(DomainError) as refused:
        record_create(table=LEAD_TABLE, values={"last_name": "Wilson", "stage": "999_bogus"})
    assert refused.value.fields == ["stage"]
    assert not Lead.objects.exists()


@pytest.mark.django_db
def test_a_value_staff_add_to_the_list_is_accepted():
    Choice.objects.create(name=LEAD_TABLE, element="stage", value="250_meeting", label="Meeting", sequence=25)
    lead = record_create(table=LEAD_TABLE, values={"last_name": "Wilson", "stage": "250_meeting"})
    assert Lead.objects.get(pk=lead.pk).stage == "250_meeting"

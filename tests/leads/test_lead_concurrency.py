"""Concurrent POSTs draw distinct lead and line-item numbers, on SQLite and PostgreSQL (docs/platform.md)."""

import pytest
from rest_framework.test import APIClient

from leads.models import Lead, LeadLineItem
from tests.concurrency import run_together
from tests.conftest import basic_auth

LEAD_URL = "/api/sn_lead_mgmt_core/lead"
WRITERS = 8
POSTS_EACH = 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_get_distinct_lead_and_line_item_numbers(make_user, catalogue):
    user = make_user("sn_lead_mgmt_core.lead_integrator")
    offering = catalogue["modem"].pk

    def writer(_: int) -> list[int]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth(user.user_name))
        body = {"last_name": "Race", "lead_line_items": [{"product_offering": {"sys_id": offering}}] * 2}
        return [client.post(LEAD_URL, body, format="json").status_code for _ in range(POSTS_EACH)]

    statuses = [status for batch in run_together(writer, WRITERS) for status in batch]
    assert statuses == [201] * (WRITERS * POSTS_EACH)
    numbers = list(Lead.objects.values_list("number", flat=True))
    item_numbers = list(LeadLineItem.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == WRITERS * POSTS_EACH
    assert len(item_numbers) == len(set(item_numbers)) == WRITERS * POSTS_EACH * 2

"""Benchmark: GET/POST /api/now/contact over many contacts. Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python benchmarks/contact_api_bench.py [--contacts N]

Creates a throwaway test database (``test_<name>``), loads the contacts demo data, adds N
generated contacts in bulk, then times requests through the full stack (authentication,
permission, encoded query, paging, serialization) with DRF's test client.
"""

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from contacts.demo import BOXEO, GENERATED_ACCOUNTS, GEORGE_WARREN, load_crm  # noqa: E402
from contacts.models import Contact  # noqa: E402
from csm_project.core.models import Role, User  # noqa: E402
from tests.conftest import basic_auth  # noqa: E402

LAST_NAMES = ("Warren", "Smith", "Garcia", "Nguyen", "Okafor", "Muller", "Rossi", "Tanaka", "Kim", "Silva")
CITIES = ("Orlando", "San Diego", "Chicago", "London", "Austin", None)


@transaction.atomic
def fill(count: int) -> None:
    """``count`` contacts, inserted in bulk: Django's bulk_create refuses multi-table models, so the
    sys_user rows and the customer_contact rows are inserted separately."""
    accounts = [BOXEO, *(row[0] for row in GENERATED_ACCOUNTS)]
    unusable = make_password(None)
    contacts = [
        Contact(
            user_name=f"bench{n:07d}",
            first_name=f"First{n % 97}",
            last_name=LAST_NAMES[n % len(LAST_NAMES)],
            city=CITIES[n % len(CITIES)],
            account_id=accounts[n % len(accounts)],
            password=unusable,
            sys_class_name="customer_contact",
        )
        for n in range(count)
    ]
    for contact in contacts:
        contact.name = f"{contact.first_name} {contact.last_name}"
        contact.user_ptr_id = contact.sys_id
    parent_fields = User._meta.concrete_fields
    child_fields = Contact._meta.local_concrete_fields
    for start in range(0, count, 2000):
        batch = contacts[start : start + 2000]
        User._base_manager._insert(batch, fields=parent_fields)
        Contact._base_manager._insert(batch, fields=child_fields)


def timed(client: APIClient, method: str, url: str, accept: str, repeat: int, body_for) -> tuple[float, int, int]:
    times, queries = [], 0
    for attempt in range(repeat + 1):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            if method == "POST":
                response = client.post(url, body_for(attempt), format="json")
            else:
                response = client.get(url, HTTP_ACCEPT=accept)
            elapsed = time.perf_counter() - start
        assert response.status_code in (200, 201), response.content
        if attempt:  # the first request warms caches (credentials, registry)
            times.append(elapsed)
            queries = len(captured.captured_queries)
    return statistics.median(times) * 1000, queries, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        load_crm(stdout=io.StringIO())
        started = time.perf_counter()
        fill(args.contacts)
        print(f"bulk insert of {args.contacts} contacts: {time.perf_counter() - started:.1f}s")
        caller = User.objects.create_user("bench.integration", "bench-pass")
        caller.roles.add(Role.objects.get(name="csm_ws_integration"))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth("bench.integration", "bench-pass"))
        print(f"{connection.vendor}: {Contact.objects.count()} contacts")

        def body(n: int) -> dict:
            return {
                "user_name": f"posted{n}",
                "first_name": "Posted",
                "last_name": "Bench",
                "account": BOXEO,
                "social_channel": "Twitter",
                "social_handle": f"@p{n}",
                "social_handle_url": f"https://t.co/{n}",
            }

        for method, url, *accept in (
            ("GET", "/api/now/contact?sysparm_limit=1"),
            ("GET", "/api/now/contact"),
            ("GET", "/api/now/contact?sysparm_limit=100"),
            ("GET", "/api/now/contact?sysparm_limit=1000"),
            ("GET", "/api/now/contact?sysparm_limit=100&sysparm_offset=15000"),
            ("GET", "/api/now/contact?sysparm_limit=100&sysparm_query=ORDERBYlast_name^ORDERBYDESCcity"),
            ("GET", f"/api/now/contact?sysparm_limit=100&sysparm_query=account={BOXEO}"),
            ("GET", "/api/now/contact?sysparm_limit=100&sysparm_query=account.name=Globex"),
            ("GET", "/api/now/contact?sysparm_limit=100&sysparm_query=last_nameSTARTSWITHwar"),
            ("GET", "/api/now/contact?sysparm_limit=100", "application/xml"),
            ("GET", f"/api/now/contact/{GEORGE_WARREN}"),
            ("POST", "/api/now/contact"),
        ):
            media_type = accept[0] if accept else "application/json"
            ms, queries, size = timed(client, method, url, media_type, args.repeat, body)
            print(f"  {ms:8.1f} ms median  {queries:2d} queries  {size:8d} bytes  {method} {url[:90]} [{media_type}]")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

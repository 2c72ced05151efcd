"""Benchmark: pages of GET /api/v2/contacts over a large directory. Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python benchmarks/contact_center_directory.py [--custom N]

Creates a throwaway test database (``test_<name>``), fills it with users holding a
contact-center role, queues and Custom contacts, then times requests through the full
stack (authentication, permission, filter, union, serialization) with DRF's test client.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from contacts.models import CustomContact  # noqa: E402
from csm_project.core.models import Role, User  # noqa: E402
from interactions.models import Queue  # noqa: E402
from tests.conftest import basic_auth  # noqa: E402


def fill(custom: int, users: int, queues: int) -> None:
    agent = Role.objects.get(name="contact_center_agent")
    people = User.objects.bulk_create(
        User(user_name=f"agent{n:06d}", first_name=f"First{n % 97}", last_name=f"Last{n % 89}", phone=f"+1 555 {n:06d}")
        for n in range(users)
    )
    User.roles.through.objects.bulk_create(User.roles.through(user_id=u.sys_id, role_id=agent.sys_id) for u in people)
    User.objects.bulk_create(User(user_name=f"plain{n:06d}") for n in range(users))  # no role: not listed
    Queue.objects.bulk_create(Queue(name=f"Queue {n:04d}", phone_number=f"+1 556 {n:04d}") for n in range(queues))
    CustomContact.objects.bulk_create(
        CustomContact(name=f"Custom {n:07d}", phone_number=f"+1 557 {n:07d}") for n in range(custom)
    )


def timed(client: APIClient, url: str, repeat: int) -> tuple[float, int, int]:
    client.get(url)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, response.content
    rows = len(response.json().get("contacts", [None]))
    return statistics.median(times) * 1000, len(queries.captured_queries), rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--custom", type=int, default=20000)
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--queues", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        fill(args.custom, args.users, args.queues)
        caller = User.objects.create_user("bench.agent", "bench-pass")
        caller.roles.add(Role.objects.get(name="contact_center_agent"))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic_auth("bench.agent", "bench-pass"))
        print(
            f"{connection.vendor}: {args.users} users with a role (+{args.users} without), "
            f"{args.queues} queues, {args.custom} custom contacts"
        )
        for url in (
            "/api/v2/contacts?limit=1",
            "/api/v2/contacts?limit=100",
            "/api/v2/contacts?limit=1000",
            "/api/v2/contacts?limit=100&offset=15000",
            "/api/v2/contacts?limit=100&sortBy=phoneNumber,name&order=Descending",
            "/api/v2/contacts?type=User&firstName=First7&limit=100",
            "/api/v2/contacts?type=custom&limit=100",
            f"/api/v2/contacts/{CustomContact.objects.order_by('name').values_list('sys_id', flat=True)[5]}",
        ):
            ms, queries, rows = timed(client, url, args.repeat)
            print(f"  {ms:8.1f} ms median  {queries} queries  {rows:5d} rows  GET {url[:90]}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

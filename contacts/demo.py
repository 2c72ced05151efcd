"""Demo records of the contacts app (docs/demo-data.md), loaded by ``seed_demo``.

Every loader is idempotent: running ``seed_demo`` twice changes nothing.
"""

import random
from datetime import UTC, datetime, timedelta

from django.db import transaction

from contacts.directory.demo import load_directory
from contacts.models import Account, Consumer, Contact, Location
from csm_project.core.access.role_names import CONSUMER, CUSTOMER
from csm_project.core.access.roles import user_grant_roles
from csm_project.core.models import User


def load(*, stdout) -> None:
    """Load every demo data set of the app."""
    load_crm(stdout=stdout)
    load_directory(stdout=stdout)


# --- logins of a customer and a consumer (docs/row-access.md) ------------------------------

CUSTOMER_LOGIN = "carl.customer"  # Carl Customer, a contact of Boxeo
CONSUMER_LOGIN = "casey.consumer"
CASEY_USER = "5e3f0c1a9b7d4e2f8a6c1d0e9f8b7a61"
CASEY_CONSUMER = "7a1c2e3f4b5d6e7f8091a2b3c4d5e6f7"
DEMO_LOGINS = (CUSTOMER_LOGIN, CONSUMER_LOGIN)


@transaction.atomic
def load_logins(*, password: str, stdout) -> int:
    """Give Carl Customer (a Boxeo contact) a login with the customer role, and create the
    consumer login Casey Consumer (a sys_user with the consumer role) and its consumer record.
    Logins that exist keep their password and roles. Returns the logins created."""
    created = 0
    carl = Contact.objects.filter(pk=CARL_CUSTOMER).first()
    if carl is not None and not carl.has_usable_password() and not carl.roles.exists():
        carl.set_password(password)
        carl.save(update_fields=["password"])
        user_grant_roles(user=carl, roles=[CUSTOMER])
        created += 1
    if not User.objects.filter(pk=CASEY_USER).exists() and not User.objects.filter(user_name=CONSUMER_LOGIN).exists():
        casey = User.objects.create_user(
            CONSUMER_LOGIN,
            password,
            sys_id=CASEY_USER,
            first_name="Casey",
            last_name="Consumer",
            email="casey.consumer@example.com",
        )
        user_grant_roles(user=casey, roles=[CONSUMER])
        created += 1
    if User.objects.filter(pk=CASEY_USER).exists() and not Consumer.objects.filter(pk=CASEY_CONSUMER).exists():
        Consumer(
            sys_id=CASEY_CONSUMER, first_name="Casey", last_name="Consumer", email="casey.consumer@example.com",
            city="Plano", state="TX", zip="75024", country="USA", user_id=CASEY_USER, sys_created_by="admin",
            sys_updated_by="admin",
        ).save()  # fmt: skip
    stdout.write(f"logins: {created} created ({', '.join(DEMO_LOGINS)})")
    return created


# --- CSM records: accounts, consumers, locations, contacts, social profiles ---------


# The records the seeds name (docs/demo-data.md). Account "Boxeo" holds, in creation order, Carl
# Customer and Julie Lewis, then George Warren and Jane Contact (so the seed's list example,
# offset 2 limit 2 of this account, is exactly George then Jane), then generated contacts.
BOXEO = "86837a386f0331003b3c498f5d3ee4ca"
SAN_DIEGO = "25ab8e460a0a0bb300857304ff811af5"
GEORGE_WARREN = "ddce70866f9331003b3c498f5d3ee417"
JANE_CONTACT = "0a232a0013691200042ab3173244b075"
JULIE_LEWIS = "4d147a386f0331003b3c498f5d3ee437"  # referenced by the Lead API seed
CARL_CUSTOMER = "3e147a386f0331003b3c498f5d3ee41c"
TEST_CONSUMER = "46ce64ef99ca5210f8779c3cc41bb03c"  # referenced by the Lead API seed's POST

GENERATED_CONTACTS = 300
GENERATED_SEED = 20190104  # fixed: the same contacts, sys_ids included, on every run


def _utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


# (fields, system fields) per seed contact; system fields are written after the insert.
SEED_CONTACTS = (
    (
        {"sys_id": CARL_CUSTOMER, "user_name": "carl.customer", "first_name": "Carl", "last_name": "Customer",
         "email": "carl.customer@mailinator.com", "account_id": BOXEO, "company_id": BOXEO},
        {"sys_created_on": _utc("2018-03-01 09:12:40"), "sys_created_by": "admin",
         "sys_updated_on": _utc("2018-03-01 09:12:40"), "sys_updated_by": "admin"},
    ),
    (
        {"sys_id": JULIE_LEWIS, "user_name": "julie.lewis", "first_name": "Julie", "last_name": "Lewis",
         "title": "IT Director", "email": "julie.lewis@example.com", "phone": "(626) 722-6969",
         "account_id": BOXEO, "company_id": BOXEO},
        {"sys_created_on": _utc("2018-03-04 20:20:11"), "sys_created_by": "admin",
         "sys_updated_on": _utc("2018-03-04 20:20:11"), "sys_updated_by": "admin"},
    ),
    (
        {"sys_id": GEORGE_WARREN, "user_name": "george.warren", "first_name": "George", "last_name": "Warren",
         "title": "Network Administrator", "email": "geo.warren@mailinator.com", "phone": "+1 858 287 7834",
         "mobile_phone": "+1 858 867 7857", "account_id": BOXEO, "company_id": BOXEO,
         "location_id": SAN_DIEGO, "last_login_time": _utc("2018-03-10 21:48:11")},
        {"sys_created_on": _utc("2018-03-04 20:26:32"), "sys_created_by": "admin",
         "sys_updated_on": _utc("2019-01-03 05:49:34"), "sys_updated_by": "system", "sys_mod_count": 3},
    ),
    (
        {"sys_id": JANE_CONTACT, "user_name": "Jane.Contact", "first_name": "Jane", "last_name": "Contact",
         "email": "jane.contact@mailinator.com", "phone": "+16692627777", "edu_status": "faculty",
         "account_id": BOXEO, "company_id": BOXEO, "last_login_time": _utc("2019-01-03 15:08:57"),
         "last_login_device": "73.71.157.241"},
        {"sys_created_on": _utc("2019-01-03 15:07:25"), "sys_created_by": "carl.customer",
         "sys_updated_on": _utc("2019-01-03 23:26:12"), "sys_updated_by": "admin", "sys_mod_count": 3},
    ),
)  # fmt: skip

GENERATED_ACCOUNTS = (
    # sys_id, name, city, country
    ("5137153cc611227c000bbd1bd8cd2005", "Acme Corporation", "Chicago", "USA"),
    ("5137153cc611227c000bbd1bd8cd2006", "Globex", "Springfield", "USA"),
    ("5137153cc611227c000bbd1bd8cd2007", "Initech", "Austin", "USA"),
    ("5137153cc611227c000bbd1bd8cd2008", "Umbrella Health", "London", "UK"),
    ("5137153cc611227c000bbd1bd8cd2009", "Stark Manufacturing", "Orlando", "USA"),
)

# Few last names and cities for many contacts: ORDERBY on them has long runs of equal values.
_FIRST_NAMES = ("Ana", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jack",
                "Kofi", "Lena", "Mateo", "Nina", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara")  # fmt: skip
_LAST_NAMES = ("Warren", "Smith", "Garcia", "Nguyen", "Okafor", "Muller", "Rossi", "Tanaka")
_CITIES = ("Orlando", "San Diego", "Chicago", "London", "Austin", None)


@transaction.atomic
def load_crm(*, stdout) -> None:
    """The records of the Contact API seed, the records other apps reference, and generated
    contacts enough to page through. Records that exist (by sys_id) are left as they are."""
    accounts = _load_accounts()
    _load_reference_records()
    seeded = 0
    for fields, system in SEED_CONTACTS:
        seeded += _create_contact(fields, system)
    generated = _load_generated_contacts()
    stdout.write(f"contacts: {accounts} accounts, {seeded} seed contacts and {generated} generated contacts created")


def _load_accounts() -> int:
    created = 0
    wanted = [(BOXEO, "Boxeo", "San Diego", "USA"), *GENERATED_ACCOUNTS]
    existing = set(Account.objects.filter(pk__in=[row[0] for row in wanted]).values_list("pk", flat=True))
    for sys_id, name, city, country in wanted:
        if sys_id in existing:
            continue
        Account(
            sys_id=sys_id, name=name, city=city, country=country, sys_created_by="admin", sys_updated_by="admin"
        ).save()
        Account.objects.filter(pk=sys_id).update(
            sys_created_on=_utc("2018-01-15 10:00:00"), sys_updated_on=_utc("2018-01-15 10:00:00")
        )
        created += 1
    return created


def _load_reference_records() -> None:
    if not Location.objects.filter(pk=SAN_DIEGO).exists():
        Location(
            sys_id=SAN_DIEGO,
            name="San Diego",
            street="4180 La Jolla Village Dr",
            city="San Diego",
            state="CA",
            zip="92037",
            country="USA",
            latitude=32.8715,
            longitude=-117.2197,
            sys_created_by="admin",
            sys_updated_by="admin",
        ).save()
    if not Consumer.objects.filter(pk=TEST_CONSUMER).exists():
        Consumer(
            sys_id=TEST_CONSUMER, name="test", last_name="test", sys_created_by="admin", sys_updated_by="admin"
        ).save()


def _create_contact(fields: dict, system: dict) -> int:
    """Insert one contact unless its sys_id exists; system fields are set after the insert
    (``save()`` stamps its own)."""
    if Contact.objects.filter(pk=fields["sys_id"]).exists():
        return 0
    contact = Contact(**fields)
    contact.set_unusable_password()
    contact.save()
    Contact.objects.filter(pk=contact.pk).update(**system)
    return 1


def _generated_contacts() -> list[tuple[dict, dict]]:
    rng = random.Random(GENERATED_SEED)
    account_ids = [BOXEO] + [row[0] for row in GENERATED_ACCOUNTS]
    start = _utc("2019-02-01 08:00:00")
    rows = []
    for index in range(GENERATED_CONTACTS):
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        account = account_ids[index % len(account_ids)]
        created = start + timedelta(days=index // 3, minutes=rng.randrange(0, 3))  # some share a second
        fields = {
            "sys_id": f"{rng.getrandbits(128):032x}",
            "user_name": f"{first}.{last}.{index:03d}".lower(),
            "first_name": first,
            "last_name": last,
            "email": f"{first}.{last}.{index:03d}@example.com".lower(),
            "phone": f"+1 555 {rng.randrange(100, 1000)} {rng.randrange(1000, 10000)}",
            "city": rng.choice(_CITIES),
            "account_id": account,
            "company_id": account,
            "vip": rng.random() < 0.1,
        }
        system = {
            "sys_created_on": created,
            "sys_created_by": "admin",
            "sys_updated_on": created,
            "sys_updated_by": "admin",
        }
        rows.append((fields, system))
    return rows


def _load_generated_contacts() -> int:
    rows = _generated_contacts()
    existing = set(Contact.objects.filter(pk__in=[f["sys_id"] for f, _ in rows]).values_list("pk", flat=True))
    created = 0
    for fields, system in rows:
        if fields["sys_id"] in existing:
            continue
        # Passed to the constructor: save() keeps given creation stamps on insert.
        contact = Contact(**fields, **system)
        contact.set_unusable_password()
        contact.save()
        created += 1
    return created

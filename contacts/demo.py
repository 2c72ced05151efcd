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
    documented = _load_documented_records()
    stdout.write(f"accounts and consumers of the Account and Consumer API pages: {documented} created")


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


# The records the Account and Consumer API pages show (docs/account-consumer-api.md): their
# values as the pages give them, but the numbers, drawn here like every record number.
AVID = "bf60bef46f0331003b3c498f5d3ee41a"
BOXEO_EMEA = "3eedd08413651200042ab3173244b088"
BOXEO_CANADA = "609cd80413651200042ab3173244b03e"
AVID_CONTACT = "bea1fef46f0331003b3c498f5d3ee4c5"
EMEA_CONTACT = "ff66c1254fb81200025ba3618110c76e"
CANADA_CONTACT = "c07424a54f781200025ba3618110c746"
HARDING_ASHER = "01d8403fdb1b1200b6075200cf961941"
SAM_COLLINS = "a0488cfbdb1b1200b6075200cf9619db"
HARDING_USER = "c3d35d82c37122005871d44d81d3ae91"
SAM_USER = "64488cfbdb1b1200b6075200cf9619db"

DOCUMENTED_ACCOUNTS = (
    (
        {"sys_id": AVID, "name": "Avid Corporation", "active_escalation": "e4fa242887150300fe4433d4c6cb0b5f",
         "state": "California", "longitude": -122.116445, "latitude": 37.402666, "zip": "94022",
         "phone": "(877) 729-4269", "account_code": "~~~~9", "city": "Los Altos", "street": "4440 El Camino Real",
         "website": "http://www.avidcorp.com", "registration_code": "AVID", "account_path": "~~~~9",
         "country": "USA", "customer": True},
        {"sys_created_on": _utc("2019-09-16 21:19:27"), "sys_created_by": "venki",
         "sys_updated_on": _utc("2020-07-30 21:57:54"), "sys_updated_by": "admin", "sys_mod_count": 10},
        AVID_CONTACT,
    ),
    (
        {"sys_id": BOXEO_EMEA, "name": "Boxeo EMEA", "zip": "BR1 3QR", "phone": "+44 20 8466 9992",
         "account_code": "~~~~3", "city": "Bromley", "account_parent_id": BOXEO, "street": "18 London Rd",
         "registration_code": "BOXEO-EMEA", "account_path": "~~~~1/~~~~3", "country": "USA", "customer": True},
        {"sys_created_on": _utc("2018-12-23 05:25:17"), "sys_created_by": "admin",
         "sys_updated_on": _utc("2019-01-03 19:37:55"), "sys_updated_by": "admin", "sys_mod_count": 5},
        EMEA_CONTACT,
    ),
    (
        {"sys_id": BOXEO_CANADA, "name": "Boxeo Canada", "zip": "V5L 2G4", "phone": "+1 604-255-9797",
         "account_code": "~~~~4", "city": "Vancouver", "account_parent_id": BOXEO,
         "street": "1362 Venables St,, BC V5L 2G4, Canada", "registration_code": "BOXEO-CANADA",
         "account_path": "~~~~1/~~~~4", "country": "USA", "customer": True},
        {"sys_created_on": _utc("2018-12-23 05:19:24"), "sys_created_by": "admin",
         "sys_updated_on": _utc("2019-01-03 19:38:04"), "sys_updated_by": "admin", "sys_mod_count": 5},
        CANADA_CONTACT,
    ),
)  # fmt: skip

DOCUMENTED_CONSUMERS = (
    (
        {"sys_id": HARDING_ASHER, "country": "USA", "gender": "Male", "city": "Plano", "street": "6900 Dallas Pkwy",
         "state": "TX", "first_name": "Harding", "last_name": "Asher", "email": "harding.asher@mailinator.com",
         "zip": "75024", "name": "Harding Asher", "user_id": HARDING_USER},
        {"sys_created_on": _utc("2016-06-16 19:20:13"), "sys_created_by": "guest",
         "sys_updated_on": _utc("2016-08-12 00:19:12"), "sys_updated_by": "prithvi", "sys_mod_count": 8},
    ),
    (
        {"sys_id": SAM_COLLINS, "country": "USA", "gender": "Male", "city": "San Francisco", "street": "144 2nd St",
         "state": "CA", "first_name": "Sam", "last_name": "Collins", "email": "sam.collins@mailinator.com",
         "zip": "94105", "name": "Sam Collins", "user_id": SAM_USER},
        {"sys_created_on": _utc("2016-06-16 19:17:44"), "sys_created_by": "guest",
         "sys_updated_on": _utc("2016-08-12 00:20:27"), "sys_updated_by": "prithvi", "sys_mod_count": 13},
    ),
)  # fmt: skip


def _load_documented_records() -> int:
    """The pages' accounts (each with its primary contact, a contact of it without a login) and
    consumers (each with its consumer user, a sys_user without a login)."""
    created = 0
    for fields, system, contact_id in DOCUMENTED_ACCOUNTS:
        if Account.objects.filter(pk=fields["sys_id"]).exists():
            continue
        Account(**fields).save()
        name = fields["name"].split()[0]
        _create_contact(
            {"sys_id": contact_id, "user_name": f"{name.lower()}.{contact_id[:6]}", "first_name": name,
             "last_name": "Contact", "account_id": fields["sys_id"], "company_id": fields["sys_id"]},
            {"sys_created_on": system["sys_created_on"], "sys_updated_on": system["sys_created_on"],
             "sys_created_by": "admin", "sys_updated_by": "admin"},
        )  # fmt: skip
        links = {"primary_contact_id": contact_id, **({"contact_id": contact_id} if fields["sys_id"] == AVID else {})}
        Account.objects.filter(pk=fields["sys_id"]).update(**system, **links)
        created += 1
    for fields, system in DOCUMENTED_CONSUMERS:
        if Consumer.objects.filter(pk=fields["sys_id"]).exists():
            continue
        user_id = fields["user_id"]
        if not User.objects.filter(pk=user_id).exists():
            user = User(sys_id=user_id, user_name=fields["email"].split("@")[0], first_name=fields["first_name"],
                        last_name=fields["last_name"], email=fields["email"])  # fmt: skip
            user.set_unusable_password()
            user.save()
        Consumer(**fields).save()
        Consumer.objects.filter(pk=fields["sys_id"]).update(**system)
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

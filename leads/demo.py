"""Demo records of the leads app (docs/demo-data.md), loaded by ``seed_demo`` after contacts.

The Lead API seed's records with their sys_ids, numbers, values, system fields and work notes:
owner Max Blaze, Abel Tuter (the seed's caller and work-note author, granted the
lead_integrator role and given the demo users' password so the examples run as him), two
product offerings, the unit Each, LEAD0000001 / LEAD0000002 with line items LEADL0000003 /
LEADL0000009; the choice lists; and a few hundred generated leads (1-5 line items each, some
qualified) so lists page. Counters are moved so new records continue at LEAD0001001 /
LEADL0001001, as in the seed's POST example.

Idempotent: records are found by sys_id and left as they are; the generated leads have fixed
sys_ids and are only created when the first of them is missing.
"""

import hashlib
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db import transaction

from contacts.models import Account, Consumer, Contact
from csm_project.core.access.role_names import LEAD_INTEGRATOR
from csm_project.core.access.roles import user_grant_roles
from csm_project.core.models import JournalEntry, NumberCounter, User
from csm_project.core.sql.numbers import reserve_numbers
from leads.choice_lists import CHOICES
from leads.models import LEAD_TABLE, LINE_ITEM_TABLE, Lead, LeadLineItem, ProductOffering, UnitOfMeasure

MAX_BLAZE = "60058fe943fe3110d6c6cd60afb8f203"
ABEL_TUTER = "62826bf03710200044e0bfc8bcbe5df1"
SAFETY_TEST_COVERAGE = "32619d9fd0a63110f8770dbf976be1f9"
SOLANA_MODEM = "0b61dd9fd0a63110f8770dbf976be171"
EACH = "cb2795d553020110286eddeeff7b12ff"
LEAD_1 = "856b6a95ffde8210b85dffffffffffd7"
LEAD_2 = "e71fa6d9ffde8210b85dffffffffff51"
LINE_ITEM_3 = "013daa19ffde8210b85dffffffffff82"
LINE_ITEM_9 = "2130fa1dffde8210b85dffffffffffff"
BOXEO = "86837a386f0331003b3c498f5d3ee4ca"
JULIE_LEWIS = "4d147a386f0331003b3c498f5d3ee437"
TEST_CONSUMER = "46ce64ef99ca5210f8779c3cc41bb03c"

GENERATED_LEADS = 300
GENERATED_SEED = 6
NEXT_NUMBER = 1001  # the seed's POST example creates LEAD0001001 / LEADL0001001


def _utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


SEED_LEADS = (
    {
        "sys_id": LEAD_1, "number": "LEAD0000001",
        "short_description": "Looking for a quote on preventative maintenance plans for their corporate office "
                             "building elevators.",
        "country": "USA", "city": "San Francisco", "lead_source": "inbound_phone", "industry": "manufacturing",
        "title": "Director of Building operations", "business_phone": "+1 (555) 123-4567",
        "street": "789, Industrial drive", "company": "Lee Manufacturing Inc", "state": "CA", "first_name": "James",
        "email": "james.wilson@email.com", "zip": "94016", "owner_id": MAX_BLAZE, "last_name": "Wilson",
        "lead_score": Decimal(92), "stage": "300_nurturing", "lead_rating": "400_super_hot",
        "sys_created_on": _utc("2024-05-20 10:32:41"), "sys_updated_on": _utc("2024-05-31 11:01:55"),
        "sys_created_by": "abel.tuter", "sys_updated_by": "abel.tuter", "sys_mod_count": 1,
    },
    {
        "sys_id": LEAD_2, "number": "LEAD0000002",
        "short_description": "Partner referral for a company interested in a reliable internet bundle with strong "
                             "security features for their office.",
        "country": "USA", "city": "San Francisco", "lead_source": "partner_referral",
        "industry": "technology_services", "title": "IT Director", "business_phone": "(626) 722-6969",
        "street": "747 Howard St", "contact_id": JULIE_LEWIS, "company": "Boxeo", "state": "CA",
        "first_name": "Julie", "email": "julie.lewis@example.com", "zip": "94013", "owner_id": MAX_BLAZE,
        "last_name": "Lewis", "lead_score": Decimal(78), "stage": "400_closed_won", "lead_rating": "200_warm",
        "account_id": BOXEO,
        "sys_created_on": _utc("2024-05-20 10:49:12"), "sys_updated_on": _utc("2024-05-20 10:53:59"),
        "sys_created_by": "admin", "sys_updated_by": "admin", "sys_mod_count": 0,
    },
)  # fmt: skip

SEED_LINE_ITEMS = (
    {"sys_id": LINE_ITEM_3, "number": "LEADL0000003", "lead_id": LEAD_1, "product_offering_id": SAFETY_TEST_COVERAGE,
     "quantity": 6, "unit_of_measurement_id": EACH, "sys_created_on": _utc("2024-05-20 10:38:41"),
     "sys_updated_on": _utc("2024-05-20 10:38:41"), "sys_created_by": "abel.tuter", "sys_updated_by": "abel.tuter"},
    {"sys_id": LINE_ITEM_9, "number": "LEADL0000009", "lead_id": LEAD_2, "product_offering_id": SOLANA_MODEM,
     "quantity": 50, "unit_of_measurement_id": EACH, "sys_created_on": _utc("2024-05-20 10:51:25"),
     "sys_updated_on": _utc("2024-05-20 10:51:57"), "sys_created_by": "admin", "sys_updated_by": "admin"},
)  # fmt: skip

# (lead, text, written at) — the seed shows them in Abel Tuter's zone (Pacific).
SEED_WORK_NOTES = (
    (LEAD_1, "Work notes for lead", _utc("2024-12-04 14:52:07")),
    (LEAD_2, "Work noted for LEAD0000002", _utc("2024-12-03 11:52:51")),
)


def load(*, stdout) -> None:
    load_leads(stdout=stdout)


@transaction.atomic
def load_leads(*, stdout) -> None:
    _load_people()
    _load_catalogue()
    seeded = _load_seed_leads()
    generated = _load_generated_leads()
    _continue_counters()
    stdout.write(f"leads: {seeded} seed leads and {generated} generated leads created")


def _user(sys_id: str, user_name: str, first: str, last: str, **fields) -> User:
    user = User.objects.filter(pk=sys_id).first()
    if user is None:
        user = User(
            sys_id=sys_id,
            user_name=user_name,
            first_name=first,
            last_name=last,
            email=f"{user_name}@example.com",
            **fields,
        )
        user.set_unusable_password()
        user.save()
    return user


def _load_people() -> None:
    _user(MAX_BLAZE, "max.blaze", "Max", "Blaze", title="Sales Manager")
    if not User.objects.filter(pk=ABEL_TUTER).exists():
        abel = _user(ABEL_TUTER, "abel.tuter", "Abel", "Tuter", time_zone="America/Los_Angeles")
        # Same password as the demo users of this run, so the seed's examples run as him.
        integrator = User.objects.filter(user_name="lead.integrator").first()
        if integrator is not None:
            User.objects.filter(pk=abel.pk).update(password=integrator.password)
        user_grant_roles(user=abel, roles=[LEAD_INTEGRATOR])
    # The contacts app's demo creates these; they are made here only if it has not.
    Account.objects.get_or_create(sys_id=BOXEO, defaults={"name": "Boxeo"})
    Consumer.objects.get_or_create(sys_id=TEST_CONSUMER, defaults={"name": "test", "last_name": "test"})
    if not Contact.objects.filter(pk=JULIE_LEWIS).exists():
        julie = Contact(
            sys_id=JULIE_LEWIS,
            user_name="julie.lewis",
            first_name="Julie",
            last_name="Lewis",
            email="julie.lewis@example.com",
            account_id=BOXEO,
            company_id=BOXEO,
        )
        julie.set_unusable_password()
        julie.save()


def _load_catalogue() -> None:
    UnitOfMeasure.objects.get_or_create(sys_id=EACH, defaults={"name": "Each"})
    ProductOffering.objects.get_or_create(
        sys_id=SAFETY_TEST_COVERAGE, defaults={"name": "Safety Test Coverage", "code": "SAFETSTCVG1"}
    )
    ProductOffering.objects.get_or_create(
        sys_id=SOLANA_MODEM, defaults={"name": "Solana Modem M Series", "code": "SOLANAMODE2"}
    )


def _load_seed_leads() -> int:
    abel = User.objects.get(pk=ABEL_TUTER)
    created = 0
    for fields in SEED_LEADS:
        if Lead.objects.filter(pk=fields["sys_id"]).exists():
            continue
        Lead(**fields).save()
        created += 1
        for item in SEED_LINE_ITEMS:
            if item["lead_id"] == fields["sys_id"]:
                LeadLineItem(**item).save()
        for lead_id, text, written in SEED_WORK_NOTES:
            if lead_id == fields["sys_id"]:
                JournalEntry(
                    name=LEAD_TABLE,
                    element_id=lead_id,
                    value=text,
                    author=abel,
                    sys_created_on=written,
                    sys_updated_on=written,
                    sys_created_by=abel.user_name,
                    sys_updated_by=abel.user_name,
                ).save()
    return created


def _generated_id(kind: str, index: int) -> str:
    return hashlib.md5(f"demo-{kind}-{index}".encode(), usedforsecurity=False).hexdigest()


def _load_generated_leads() -> int:
    if Lead.objects.filter(pk=_generated_id("lead", 0)).exists():
        return 0
    rng = random.Random(GENERATED_SEED)
    _counter_at_least("LEAD", LEAD_TABLE, 3)
    _counter_at_least("LEADL", LINE_ITEM_TABLE, 10)
    offerings = [SAFETY_TEST_COVERAGE, SOLANA_MODEM]
    stages = [value for value, _ in CHOICES["stage"]]
    start = _utc("2024-06-01 08:00:00")
    numbers = reserve_numbers("LEAD", GENERATED_LEADS, table=LEAD_TABLE)
    leads, items = [], []
    for index, number in enumerate(numbers):
        created = start + timedelta(hours=7 * index, seconds=rng.randrange(3600))
        # Every fifth lead is qualified, so the seed's `stage=400_closed_won` example pages.
        stage = "400_closed_won" if index % 5 == 0 else rng.choice(stages[:3] + stages[4:])
        leads.append(
            Lead(
                sys_id=_generated_id("lead", index),
                number=number,
                first_name=rng.choice(_FIRST_NAMES),
                last_name=rng.choice(_LAST_NAMES),
                company=rng.choice(_COMPANIES),
                stage=stage,
                short_description=rng.choice(_DESCRIPTIONS),
                lead_source=rng.choice(CHOICES["lead_source"])[0],
                lead_rating=rng.choice(CHOICES["lead_rating"])[0],
                industry=rng.choice(CHOICES["industry"])[0],
                lead_score=Decimal(rng.randint(1, 100)),
                email=f"lead{index}@example.com",
                country="USA",
                owner_id=MAX_BLAZE,
                account_id=BOXEO if index % 7 == 0 else None,
                closed_date=created + timedelta(days=3) if stage in ("400_closed_won", "500_closed_lost") else None,
                sys_created_on=created,
                sys_updated_on=created,
                sys_created_by="admin",
                sys_updated_by="admin",
                sys_class_name=LEAD_TABLE,
            )
        )
        for item_index in range(rng.randint(1, 5)):
            items.append(
                LeadLineItem(
                    sys_id=_generated_id(f"item-{index}", item_index),
                    lead_id=leads[-1].sys_id,
                    product_offering_id=rng.choice(offerings),
                    quantity=rng.randint(1, 50),
                    unit_of_measurement_id=EACH,
                    sys_created_on=created,
                    sys_updated_on=created,
                    sys_created_by="admin",
                    sys_updated_by="admin",
                    sys_class_name=LINE_ITEM_TABLE,
                )
            )
    for item, number in zip(items, reserve_numbers("LEADL", len(items), table=LINE_ITEM_TABLE), strict=True):
        item.number = number
    Lead.objects.bulk_create(leads, batch_size=500)
    LeadLineItem.objects.bulk_create(items, batch_size=500)
    return len(leads)


def _counter_at_least(prefix: str, table: str, value: int) -> None:
    counter, _ = NumberCounter.objects.get_or_create(prefix=prefix, defaults={"table": table})
    if counter.next_value < value:
        NumberCounter.objects.filter(pk=prefix).update(next_value=value)


def _continue_counters() -> None:
    _counter_at_least("LEAD", LEAD_TABLE, NEXT_NUMBER)
    _counter_at_least("LEADL", LINE_ITEM_TABLE, NEXT_NUMBER)


_FIRST_NAMES = ("Ana", "Ben", "Chloe", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jack")
_LAST_NAMES = ("Wilson", "Lewis", "Garcia", "Nguyen", "Okafor", "Muller", "Rossi", "Tanaka")
_COMPANIES = ("Lee Manufacturing Inc", "Boxeo", "Acme Corporation", "Globex", "Initech")
_DESCRIPTIONS = (
    "Interested in a quote for preventative maintenance plans.",
    "Asked for pricing of a business internet bundle.",
    "Wants a demo of the safety test coverage offering.",
    "Referred by a partner; evaluating modems for branch offices.",
)

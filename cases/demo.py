"""Demo cases (docs/demo-data.md): the cases the Case API page's examples name, by their sys_ids,
and cases of the demo accounts in every state. Written through the one write path, so every
stamp and journal entry is the product's own. Running it again changes nothing."""

from django.db import transaction

from cases.choice_lists import (
    STATE_AWAITING_INFO,
    STATE_CANCELLED,
    STATE_CLOSED,
    STATE_NEW,
    STATE_OPEN,
    STATE_RESOLVED,
)
from cases.models import Case
from contacts.demo import BOXEO, CASEY_CONSUMER, GENERATED_ACCOUNTS, GEORGE_WARREN, JULIE_LEWIS
from contacts.models import Consumer
from csm_project.core.records.services import record_prepare, record_save, record_update

# The page's examples: the activity stream's case, the GET example, the PUT example's case and
# the consumer that example sets.
LAPTOP_CASE = "f352dc9387632300d6b0a7da0acb0b60"
ANALYTICS_CASE = "ba325dbe64f01300964fae39b050e9a6"
CONSUMER_CASE = "0397c743db436f0057c3fd441d96197f"
PUT_CONSUMER = "cd97ef1ddb8bc7006b7a9646db9619ac"
CASEY_CASE = "5d1b7bb053401010dc25ddeeff7b1204"  # the demo consumer login's own case

RESOLVE = {"resolution_code": "solved_fixed_by_support", "close_notes": "Replaced the faulty part."}

# sys_id, account, contact, short description, priority, contact type, the states it goes through
SEED_CASES = (
    (LAPTOP_CASE, BOXEO, JULIE_LEWIS, "Laptop is not working properly", "3", "web", (STATE_OPEN,)),
    (ANALYTICS_CASE, BOXEO, JULIE_LEWIS, "Acme Analytics performance degradation", "1", "web", (STATE_OPEN,)),
    ("dccc6024d7700200e5982cf65e6103e5", BOXEO, JULIE_LEWIS, "Advanced and large routers making noise", "3", "web",
     (STATE_AWAITING_INFO,)),
    ("cf866683c3033100b12d9f2974d3ae1f", BOXEO, GEORGE_WARREN, "Urgent issue, need help ...", "1", "web",
     (STATE_RESOLVED,)),
    ("5d1b7bb053401010dc25ddeeff7b1201", BOXEO, GEORGE_WARREN, "Invoice shows the wrong address", "4", "email",
     (STATE_RESOLVED, STATE_CLOSED)),
    ("5d1b7bb053401010dc25ddeeff7b1202", BOXEO, None, "Duplicate of a phone request", "4", "phone",
     (STATE_CANCELLED,)),
    ("5d1b7bb053401010dc25ddeeff7b1203", BOXEO, None, "New office needs onboarding", "3", "chat", ()),
    (CONSUMER_CASE, None, None, "Consumer Test Case", "4", "phone", ()),
    (CASEY_CASE, None, None, "My order arrived damaged", "3", "web", ()),
)  # fmt: skip
STATE_CYCLE = ((), (STATE_OPEN,), (STATE_AWAITING_INFO,), (STATE_RESOLVED,), (STATE_RESOLVED, STATE_CLOSED),
               (STATE_CANCELLED,))  # fmt: skip


def load(*, stdout) -> None:
    load_cases(stdout=stdout)


@transaction.atomic
def load_cases(*, stdout) -> None:
    if not Consumer.objects.filter(pk=PUT_CONSUMER).exists():
        Consumer(sys_id=PUT_CONSUMER, name="Consumer Demo", first_name="Consumer", last_name="Demo").save()
    created = 0
    rows = list(SEED_CASES)
    for index, (account, _name, _city, _country) in enumerate(GENERATED_ACCOUNTS[:3]):
        for offset, states in enumerate(STATE_CYCLE):
            sys_id = f"5d1b7bb053401010dc25ddeeff7b{index + 3:02d}{offset:02d}"
            rows.append((sys_id, account, None, f"Demo case {offset + 1} of {_name}", str(offset % 4 + 1), "web",
                         states))  # fmt: skip
    for sys_id, account, contact, text, priority, channel, states in rows:
        if Case.objects.filter(pk=sys_id).exists():
            continue
        values = {"short_description": text, "priority": priority, "contact_type": channel, "account": account,
                  "contact": contact}  # fmt: skip
        if sys_id == CONSUMER_CASE:
            values["consumer"] = PUT_CONSUMER
        if sys_id == CASEY_CASE:
            values["consumer"] = CASEY_CONSUMER
        case = record_save(record_prepare(Case(sys_id=sys_id), {k: v for k, v in values.items() if v}, creating=True))
        if sys_id == LAPTOP_CASE:
            record_update(
                instance=case,
                values={
                    "comments": "Can you please send me a photo of the label on your "
                    "laptop so we can send you the correct replacement?"
                },
            )
        for state in states:
            extra = RESOLVE if state in (STATE_RESOLVED, STATE_CLOSED) and not case.resolution_code else {}
            record_update(instance=case, values={"state": state, **extra})
        created += 1
    stdout.write(f"cases: {created} demo cases created")


__all__ = ["load", "STATE_NEW"]

"""Demo records of the interactions app (docs/demo-data.md), loaded by ``seed_demo``.

- The records the Interaction API document's cURL examples name: connector (channel)
  ``28a59893873103002ae97e2526cb0b5d``, queue ``f3a50867b30303002186a72256a8dcb7``, and the
  open interaction ``b243cde4208f1700964f959e0488dee8`` (IMS0000060) its close example
  closes, with its context blob, channel-metadata profile and opened-for user (Beth Anglin).
- A few more connectors and queues, and ``GENERATED`` interactions (each with its blob and
  profile, a few with work notes), bulk-inserted with numbers from ``reserve_numbers``.

Idempotent: every demo record has a fixed sys_id, and only the missing ones are created, so
a second run changes nothing. The IMS counter is left above the highest number in use.
"""

import hashlib
import random
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from csm_project.core.models import JournalEntry, NumberCounter, User
from csm_project.core.sql.numbers import reserve_numbers
from interactions.models import (
    Interaction,
    InteractionConnector,
    InteractionJsonBlob,
    InteractionState,
    InteractionType,
    LiveGroupProfile,
    Queue,
)

CHAT_CHANNEL = "28a59893873103002ae97e2526cb0b5d"
CHAT_QUEUE = "f3a50867b30303002186a72256a8dcb7"
CLOSE_EXAMPLE = "b243cde4208f1700964f959e0488dee8"
CLOSE_EXAMPLE_NUMBER = "IMS0000060"
CLOSE_EXAMPLE_CONTEXT = "3a43cde4208f1700964f959e0488dee7"
CLOSE_EXAMPLE_METADATA = "fa43cde4208f1700964f959e0488dee8"
BETH_ANGLIN = "46d44a23a9fe19810012d100cca80666"

GENERATED = 200

CONNECTORS = (
    # sys_id, name, type of the interactions it brings
    (CHAT_CHANNEL, "Chat", InteractionType.CHAT),
    (None, "Phone", InteractionType.PHONE),
    (None, "Email", InteractionType.EMAIL),
    (None, "Messaging", InteractionType.MESSAGING),
)
QUEUES = (
    # sys_id, name, phone number
    (CHAT_QUEUE, "Customer Service Chat", "+1 858 287 7834"),
    (None, "Billing", "+1 858 287 7800"),
    (None, "Technical Support", "+1 858 287 7811"),
    (None, "Returns", None),
)
TOPICS = (
    "Order has not arrived",
    "Question about an invoice",
    "Modem keeps disconnecting",
    "Change of delivery address",
    "Request a refund",
    "Password reset",
    "Upgrade my plan",
    "Damaged item received",
)


def demo_sys_id(label: str) -> str:
    """A fixed sys_id for a generated demo record, so reruns find what they made."""
    return hashlib.md5(f"csm-demo:interactions:{label}".encode(), usedforsecurity=False).hexdigest()


def load(*, stdout) -> None:
    """Load every demo data set of the app."""
    with transaction.atomic():
        connectors = _ensure_connectors()
        queues = _ensure_queues()
        beth = _ensure_beth_anglin()
        created_example = _ensure_close_example(beth)
        generated = _ensure_generated(connectors, queues)
        _counter_above_highest_number()
    stdout.write(
        f"interactions: {len(connectors)} connectors, {len(queues)} queues, "
        f"close example {'created' if created_example else 'already there'}, "
        f"{generated} generated interactions created"
    )


def _ensure_connectors() -> list[tuple[InteractionConnector, str]]:
    result = []
    for sys_id, name, kind in CONNECTORS:
        connector, _ = InteractionConnector.objects.get_or_create(
            sys_id=sys_id or demo_sys_id(f"connector:{name}"), defaults={"name": name}
        )
        result.append((connector, kind))
    return result


def _ensure_queues() -> list[Queue]:
    return [
        Queue.objects.get_or_create(
            sys_id=sys_id or demo_sys_id(f"queue:{name}"), defaults={"name": name, "phone_number": phone}
        )[0]
        for sys_id, name, phone in QUEUES
    ]


def _ensure_beth_anglin() -> User:
    """The close example's ``opened_for``; a demo person, not a login (unusable password)."""
    user = User.objects.filter(sys_id=BETH_ANGLIN).first()
    if user is None:
        user = User.objects.filter(user_name="beth.anglin").first()
    if user is None:
        user = User(
            sys_id=BETH_ANGLIN,
            user_name="beth.anglin",
            first_name="Beth",
            last_name="Anglin",
            email="beth.anglin@example.com",
        )
        user.set_unusable_password()
        user.save()
    return user


def _ensure_close_example(opened_for: User) -> bool:
    if Interaction.objects.filter(sys_id=CLOSE_EXAMPLE).exists():
        return False
    InteractionJsonBlob.objects.get_or_create(
        sys_id=CLOSE_EXAMPLE_CONTEXT,
        defaults={"value": {"topic": "Order has not arrived", "order": "ORD0001234", "language": "en"}},
    )
    LiveGroupProfile.objects.get_or_create(
        sys_id=CLOSE_EXAMPLE_METADATA, defaults={"name": "Chat with Beth Anglin", "value": {"agent_typing": False}}
    )
    number_taken = Interaction.objects.filter(number=CLOSE_EXAMPLE_NUMBER).exists()
    Interaction.objects.create(
        sys_id=CLOSE_EXAMPLE,
        # An API-created interaction may already hold IMS0000060 (the demo loaded late on a used
        # database): then save() draws a fresh number rather than violating uniqueness.
        number="" if number_taken else CLOSE_EXAMPLE_NUMBER,
        channel_id=CHAT_CHANNEL,
        queue_id=CHAT_QUEUE,
        state=InteractionState.QUEUED,
        type=InteractionType.CHAT,
        opened_for=opened_for,
        opened_at=timezone.now() - timedelta(minutes=12),
        short_description="Order has not arrived",
        context_table=InteractionJsonBlob.sys_table,
        context_document=CLOSE_EXAMPLE_CONTEXT,
        channel_metadata_table=LiveGroupProfile.sys_table,
        channel_metadata_document=CLOSE_EXAMPLE_METADATA,
    )
    return True


def _ensure_generated(connectors: list[tuple[InteractionConnector, str]], queues: list[Queue]) -> int:
    ids = [demo_sys_id(f"interaction:{index}") for index in range(GENERATED)]
    existing = set(Interaction.objects.filter(sys_id__in=ids).values_list("sys_id", flat=True))
    missing = [(index, sys_id) for index, sys_id in enumerate(ids) if sys_id not in existing]
    if not missing:
        return 0
    _counter_at_least(int(CLOSE_EXAMPLE_NUMBER[3:]) + 1)  # generated numbers never take IMS0000060
    numbers = reserve_numbers(Interaction.NUMBER_PREFIX, len(missing), table=Interaction.sys_table)
    people = list(User.objects.filter(sys_class_name="sys_user", is_superuser=False).order_by("user_name")[:20])
    agent = User.objects.filter(user_name="interaction.agent").first()
    rng = random.Random(5)  # noqa: S311 - demo data, not security
    now = timezone.now()
    states = list(InteractionState)
    stamp = {"sys_created_by": "system", "sys_updated_by": "system"}
    blobs, profiles, interactions, notes = [], [], [], []
    for (index, sys_id), number in zip(missing, numbers, strict=True):
        connector, kind = connectors[index % len(connectors)]
        queue = queues[index % len(queues)] if index % 5 else None
        state = rng.choice(states) if queue is not None else InteractionState.NEW
        opened_at = now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 1440))
        closed = state in (InteractionState.CLOSED_COMPLETE, InteractionState.CLOSED_ABANDONED)
        topic = rng.choice(TOPICS)
        blob_id, profile_id = demo_sys_id(f"blob:{index}"), demo_sys_id(f"profile:{index}")
        blobs.append(
            InteractionJsonBlob(
                sys_id=blob_id,
                value={"topic": topic, "demo": index},
                sys_class_name=InteractionJsonBlob.sys_table,
                **stamp,
            )
        )
        profiles.append(
            LiveGroupProfile(
                sys_id=profile_id,
                name=f"{connector.name} session {index}",
                value={},
                sys_class_name=LiveGroupProfile.sys_table,
                **stamp,
            )
        )
        interactions.append(
            Interaction(
                sys_id=sys_id,
                number=number,
                channel=connector,
                queue=queue,
                state=state,
                type=kind,
                opened_by=agent,
                opened_for=rng.choice(people) if people else None,
                assigned_to=agent if state not in (InteractionState.NEW, InteractionState.QUEUED) else None,
                opened_at=opened_at,
                closed_at=opened_at + timedelta(minutes=rng.randint(3, 90)) if closed else None,
                closed_by=agent if closed else None,
                short_description=topic,
                context_table=InteractionJsonBlob.sys_table,
                context_document=blob_id,
                channel_metadata_table=LiveGroupProfile.sys_table,
                channel_metadata_document=profile_id,
                sys_created_on=opened_at,
                sys_updated_on=opened_at,
                sys_class_name=Interaction.sys_table,
                **stamp,
            )
        )
        if index % 10 == 0:
            notes.append(
                JournalEntry(
                    name=Interaction.sys_table,
                    element_id=sys_id,
                    value=f"Customer asked: {topic}",
                    author=agent,
                    sys_class_name=JournalEntry.sys_table,
                    **stamp,
                )
            )
    InteractionJsonBlob.objects.bulk_create(blobs, ignore_conflicts=True)
    LiveGroupProfile.objects.bulk_create(profiles, ignore_conflicts=True)
    Interaction.objects.bulk_create(interactions, batch_size=500)
    JournalEntry.objects.bulk_create(notes)
    return len(interactions)


def _counter_at_least(next_value: int) -> None:
    NumberCounter.objects.get_or_create(
        prefix=Interaction.NUMBER_PREFIX, defaults={"table": Interaction.sys_table, "next_value": next_value}
    )
    NumberCounter.objects.filter(prefix=Interaction.NUMBER_PREFIX).update(
        next_value=Greatest(F("next_value"), next_value)
    )


def _counter_above_highest_number() -> None:
    """Later API inserts must never draw a number the demo wrote by hand (IMS0000060)."""
    highest = (
        Interaction.objects.filter(number__regex=r"^IMS[0-9]{7}$")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    if highest is not None:
        _counter_at_least(int(highest[3:]) + 1)

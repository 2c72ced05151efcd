"""Models of the interactions app (docs/interaction-api.md): channels (interaction connectors), queues,
interactions, and the documents an interaction points at for its context and channel metadata.

An interaction references its context and channel-metadata documents generically, by wire
table name + sys_id (``context_table`` / ``context_document``), as the platform does: by
default a new ``interaction_json_blob`` and a new ``live_group_profile`` record, but any
registered table may be named. Those two columns are therefore plain strings, not foreign
keys; the service validates them against the table registry on write.
"""

from django.db import models
from django.db.models.functions import Lower

from csm_project.core.models import NumberedRecord, SysRecord, User


class InteractionConnector(SysRecord):
    """A channel an interaction comes in through (``interaction_connector``), e.g. chat."""

    sys_table = "interaction_connector"

    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "interaction_connector"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Queue(SysRecord):
    """A work queue (``awa_queue``) interactions are routed to; it may have a phone number."""

    sys_table = "awa_queue"

    name = models.CharField(max_length=100)
    phone_number = models.CharField(max_length=40, null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "awa_queue"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InteractionJsonBlob(SysRecord):
    """The default context document of an interaction (``interaction_json_blob``): a JSON map."""

    sys_table = "interaction_json_blob"
    sys_display_field = "sys_id"

    value = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "interaction_json_blob"
        verbose_name = "interaction JSON blob"

    def __str__(self) -> str:
        return self.sys_id


class LiveGroupProfile(SysRecord):
    """The default channel-metadata document of an interaction (``live_group_profile``).

    ``value`` holds the metadata map a connector uses to talk through its channel.
    """

    sys_table = "live_group_profile"

    name = models.CharField(max_length=100, null=True, blank=True)
    value = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "live_group_profile"

    def __str__(self) -> str:
        return self.name or self.sys_id


class InteractionState(models.TextChoices):
    NEW = "new", "New"
    QUEUED = "queued", "Queued"
    ON_HOLD = "on_hold", "On Hold"
    WORK_IN_PROGRESS = "work_in_progress", "Work in Progress"
    WRAP_UP = "wrap_up", "Wrap Up"
    CLOSED_COMPLETE = "closed_complete", "Closed Complete"
    CLOSED_ABANDONED = "closed_abandoned", "Closed Abandoned"


CLOSED_STATES = frozenset({InteractionState.CLOSED_COMPLETE, InteractionState.CLOSED_ABANDONED})


class InteractionType(models.TextChoices):
    CHAT = "chat", "Chat"
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    WALK_UP = "walk-up", "Walk-up"
    MESSAGING = "messaging", "Messaging"


class Interaction(NumberedRecord):
    """One customer interaction (``interaction``), numbered ``IMS`` + 7 digits.

    Work notes live in the journal (``JournalEntry`` with name ``interaction``).
    Pitfall: the number is drawn in ``save()`` on insert; call it inside the insert's
    transaction so a concurrent insert on PostgreSQL waits on the counter row.
    """

    sys_table = "interaction"
    sys_display_field = "number"
    NUMBER_PREFIX = "IMS"

    state = models.CharField(max_length=40, choices=InteractionState.choices, default=InteractionState.NEW)
    type = models.CharField(max_length=40, choices=InteractionType.choices, default=InteractionType.CHAT)
    channel = models.ForeignKey(InteractionConnector, on_delete=models.PROTECT, related_name="interactions")
    queue = models.ForeignKey(Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions")
    opened_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opened_for = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    assigned_to = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    short_description = models.CharField(max_length=160, null=True, blank=True)
    context_table = models.CharField(max_length=80, null=True, blank=True)
    context_document = models.CharField(max_length=32, null=True, blank=True)
    channel_metadata_table = models.CharField(max_length=80, null=True, blank=True)
    channel_metadata_document = models.CharField(max_length=32, null=True, blank=True)

    class Meta:
        db_table = "interaction"
        indexes = [
            models.Index(fields=["state"], name="interaction_state_idx"),
            # Encoded queries compare strings lower-cased; the creation time serves the default order.
            models.Index(Lower("state"), "sys_created_on", name="interaction_state_created_idx"),
            models.Index(fields=["opened_for", "sys_created_on"], name="interaction_opened_for_idx"),
        ]

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

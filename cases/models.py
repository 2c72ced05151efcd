"""Customer service cases (``sn_customerservice_case``, docs/case-api.md).

A case is a ``NumberedRecord`` (``CS0000001``, drawn from the ``CS`` sequence on insert). Its
numbered lists (``state``, ``priority``, ...) are strings holding the list values (``"10"``)
checked against ``sys_choice`` rows, as the Case API shows them (every value a string).
``comments`` and ``work_notes`` are journals, not columns: a write naming them adds an entry
(``sys_journal_field``) on the case. Its children are the cases whose ``parent`` it is.

``account``, ``contact`` and ``consumer`` are plain references, so that rules over who may see
a case (a customer's own account) can be added as data over them.

``product`` names a product model (``cmdb_model`` on the platform), a table this product does
not have: it holds that record's sys_id as text.
"""

from django.db import models
from django.db.models.functions import Lower

from cases.choice_lists import STATE_NEW
from contacts.models import Account, Consumer, Contact
from csm_project.core.models import NumberedRecord, User
from leads.models import UserGroup

CASE_TABLE = "sn_customerservice_case"


class Case(NumberedRecord):
    """A customer's request for help; its display value is its number."""

    sys_table = CASE_TABLE
    sys_display_field = "number"
    sys_choice_fields = (
        "state", "priority", "impact", "urgency", "category", "escalation", "notify", "contact_type",
        "resolution_code",
    )  # fmt: skip
    sys_id_fields = ("product",)
    sys_journal_fields = ("comments", "work_notes")
    NUMBER_PREFIX = "CS"

    short_description = models.CharField(max_length=160, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    state = models.CharField(max_length=40, default=STATE_NEW)
    active = models.BooleanField(default=True)
    priority = models.CharField(max_length=40, default="4")
    impact = models.CharField(max_length=40, default="3")
    urgency = models.CharField(max_length=40, default="3")
    category = models.CharField(max_length=40, default="1")
    escalation = models.CharField(max_length=40, default="0")
    notify = models.CharField(max_length=40, default="1")
    contact_type = models.CharField(max_length=40, null=True, blank=True)

    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    consumer = models.ForeignKey(Consumer, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases")
    partner = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    partner_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product = models.CharField(max_length=32, null=True, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")

    assignment_group = models.ForeignKey(
        UserGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    assigned_to = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    business_impact = models.TextField(null=True, blank=True)
    cause = models.TextField(null=True, blank=True)
    resolution_code = models.CharField(max_length=40, null=True, blank=True)
    close_notes = models.TextField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateTimeField(null=True, blank=True)
    correlation_id = models.CharField(max_length=100, null=True, blank=True)
    correlation_display = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        db_table = CASE_TABLE
        ordering = ["number"]
        # Lists are commonly an account's cases by state (the Case API's own example), or
        # the open cases by state and priority; strings compare lower-cased in encoded queries.
        indexes = [
            models.Index(fields=["account", "sys_created_on"], name="case_account_created_idx"),
            models.Index(Lower("state"), "sys_created_on", name="case_state_created_idx"),
        ]

    @property
    def case(self) -> str:
        """The platform's ``case`` column: the short description followed by the number."""
        return f"{self.short_description or ''}{self.number}"

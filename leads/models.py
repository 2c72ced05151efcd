"""Lead management records: leads, their line items, the product catalogue they name (product
offerings, units of measure) and user groups (a lead's ``lead_group``).

Wire tables (docs/platform.md): ``sn_lead_mgmt_core_lead``, ``sn_lead_mgmt_core_lead_line_item``,
``sn_prd_pm_product_offering``, ``sn_prd_pm_uom``, ``sys_user_group``.

Numbers (``LEAD0000001``, ``LEADL0000001``) are drawn from the platform counter on insert,
inside the inserting transaction, so they stay unique under concurrent inserts.

Choice fields (``stage``, ``lead_source``, ...) are plain strings: their allowed values are
``sys_choice`` rows staff can extend in the admin (docs/lead-api.md), not Django ``choices``.
"""

import re

from django.db import models
from django.db.models.functions import Lower

from contacts.models import Account, Consumer, Contact
from csm_project.core.models import NumberedRecord, SysRecord, User

LEAD_TABLE = "sn_lead_mgmt_core_lead"
LINE_ITEM_TABLE = "sn_lead_mgmt_core_lead_line_item"

STAGE_NEW = "100_new"
STAGE_QUALIFIED = "400_closed_won"
STAGE_DISQUALIFIED = "500_closed_lost"
CLOSED_STAGES = frozenset({STAGE_QUALIFIED, STAGE_DISQUALIFIED})


class UserGroup(SysRecord):
    """A group of users (``sys_user_group``); leads are routed to one."""

    sys_table = "sys_user_group"

    name = models.CharField(max_length=255)
    description = models.TextField(null=True, blank=True)
    email = models.CharField(max_length=255, null=True, blank=True)
    manager = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "sys_user_group"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class GroupMember(SysRecord):
    """A user's membership of a group (``sys_user_grmember``). A user is in a group once
    (``GroupMemberRules``; the unique constraint backs it). These are the platform's groups:
    the admin's staff roles are Django groups of their own (docs/admin.md)."""

    sys_table = "sys_user_grmember"
    sys_display_field = "user"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(UserGroup, on_delete=models.CASCADE, related_name="members")

    class Meta:
        db_table = "sys_user_grmember"
        verbose_name = "group member"
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="grmember_unique_pair")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"


class UnitOfMeasure(SysRecord):
    """A unit a quantity is counted in (``sn_prd_pm_uom``), e.g. Each."""

    sys_table = "sn_prd_pm_uom"

    name = models.CharField(max_length=100)
    description = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "sn_prd_pm_uom"
        ordering = ["name"]
        verbose_name = "unit of measure"

    def __str__(self) -> str:
        return self.name


_NOT_CODE_CHAR = re.compile(r"[^A-Z0-9]")


class ProductOffering(SysRecord):
    """A sellable product (``sn_prd_pm_product_offering``) with its ``code`` (a SKU-like code
    generated from the name when none is given; staff may edit it)."""

    sys_table = "sn_prd_pm_product_offering"

    name = models.CharField(max_length=255)
    code = models.CharField(max_length=40, unique=True, blank=True)
    description = models.TextField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "sn_prd_pm_product_offering"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.code:
            stem = _NOT_CODE_CHAR.sub("", (self.name or "").upper())[:10] or "PRODUCT"
            suffix = 1
            while ProductOffering.objects.filter(code=f"{stem}{suffix}").exists():
                suffix += 1
            self.code = f"{stem}{suffix}"
        super().save(*args, **kwargs)


class Lead(NumberedRecord):
    """A marketing lead (``sn_lead_mgmt_core_lead``); its display value is its number."""

    sys_table = LEAD_TABLE
    sys_display_field = "number"
    sys_choice_fields = ("stage", "lead_source", "lead_rating", "lead_type", "industry")
    NUMBER_PREFIX = "LEAD"

    short_description = models.CharField(max_length=160, null=True, blank=True)
    stage = models.CharField(max_length=40, default=STAGE_NEW, db_index=True)
    lead_source = models.CharField(max_length=40, null=True, blank=True)
    lead_rating = models.CharField(max_length=40, null=True, blank=True)
    lead_type = models.CharField(max_length=40, null=True, blank=True)
    industry = models.CharField(max_length=40, null=True, blank=True)
    lead_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    reason = models.CharField(max_length=40, null=True, blank=True)
    other_reason = models.CharField(max_length=160, null=True, blank=True)
    closed_date = models.DateTimeField(null=True, blank=True)

    first_name = models.CharField(max_length=100, null=True, blank=True)
    middle_name = models.CharField(max_length=100, null=True, blank=True)
    last_name = models.CharField(max_length=100)
    title = models.CharField(max_length=100, null=True, blank=True)
    company = models.CharField(max_length=255, null=True, blank=True)
    email = models.CharField(max_length=255, null=True, blank=True)
    business_phone = models.CharField(max_length=40, null=True, blank=True)
    mobile_phone = models.CharField(max_length=40, null=True, blank=True)
    website = models.CharField(max_length=255, null=True, blank=True)
    street = models.CharField(max_length=255, null=True, blank=True)
    city = models.CharField(max_length=100, null=True, blank=True)
    state = models.CharField(max_length=100, null=True, blank=True)
    zip = models.CharField(max_length=40, null=True, blank=True)
    country = models.CharField(max_length=100, null=True, blank=True)
    do_not_call = models.BooleanField(default=False)
    do_not_email = models.BooleanField(default=False)
    do_not_share = models.BooleanField(default=False)
    external_id = models.CharField(max_length=255, null=True, blank=True)
    external_system = models.CharField(max_length=100, null=True, blank=True)

    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    consumer = models.ForeignKey(Consumer, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    lead_group = models.ForeignKey(UserGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")
    similar_lead = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The customer service case the lead came from, if any (docs/case-api.md).
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="leads")

    class Meta:
        db_table = LEAD_TABLE
        ordering = ["number"]
        # Lists commonly filtered by stage, account or email; strings are compared lower-cased by
        # encoded queries, and the creation time after the filter serves the default order.
        indexes = [
            models.Index(Lower("stage"), "sys_created_on", name="lead_stage_created_idx"),
            models.Index(fields=["account", "sys_created_on"], name="lead_account_created_idx"),
            models.Index(Lower("email"), name="lead_email_ci_idx"),
        ]

    @property
    def is_closed(self) -> bool:
        return self.stage in CLOSED_STAGES


class LeadLineItem(NumberedRecord):
    """A product a lead is interested in (``sn_lead_mgmt_core_lead_line_item``)."""

    sys_table = LINE_ITEM_TABLE
    sys_display_field = "number"
    NUMBER_PREFIX = "LEADL"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="line_items")
    product_offering = models.ForeignKey(ProductOffering, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    unit_of_measurement = models.ForeignKey(
        UnitOfMeasure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(max_length=255, null=True, blank=True)
    external_system = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        db_table = LINE_ITEM_TABLE
        ordering = ["lead", "sys_created_on", "number"]
        verbose_name = "lead line item"

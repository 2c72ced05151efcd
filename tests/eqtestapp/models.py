"""Tables `eq_test_account` and `eq_test_record`: every field type the registry knows, and a reference.

Installed only by the test settings; the encoded query property test compares what the database
returns for random queries on these tables with an independent in-Python evaluation.
"""

from django.db import models

from csm_project.core.models import SysRecord


class EqAccount(SysRecord):
    sys_table = "eq_test_account"

    name = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        db_table = "eq_test_account"


class EqRecord(SysRecord):
    sys_table = "eq_test_record"
    sys_choice_fields = ("state",)

    name = models.CharField(max_length=100, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    state = models.CharField(max_length=40, null=True, blank=True)
    count = models.IntegerField(null=True, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    active = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    due = models.DateField(null=True, blank=True)
    account = models.ForeignKey(EqAccount, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    payload = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "eq_test_record"

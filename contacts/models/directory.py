"""Contact-center directory records (docs/contact-center-api.md): the ``Custom`` contacts.

User and Queue contacts are not stored here: the directory (``contacts.directory``) reads
them from ``sys_user`` and ``awa_queue`` as they are.
"""

from django.db import models

from csm_project.core.models import SysRecord


class CustomContact(SysRecord):
    """A contact added through the Contacts API (``type`` ``Custom``): a name and a number."""

    sys_table = "sn_cc_custom_contact"

    name = models.CharField(max_length=255)
    phone_number = models.CharField(max_length=40, null=True, blank=True)

    class Meta:
        db_table = "sn_cc_custom_contact"
        verbose_name = "custom directory contact"
        indexes = [models.Index(fields=["name"], name="cc_custom_contact_name_idx")]

    def __str__(self) -> str:
        return self.name

"""Reads of CSM contact records."""

from django.db.models import Prefetch, QuerySet

from contacts.models import Contact
from csm_project.core.journal import journal_for
from csm_project.core.models import JournalEntry, Role


def contact_list() -> QuerySet[Contact]:
    """Every contact, with its roles prefetched (the wire shape lists role names).

    Unfiltered and unordered: the API's encoded-query backend filters and orders it. A page
    costs the same number of queries whatever its size: one for the rows (the ``sys_user``
    parent is joined, references are their foreign-key columns) and one for all their roles.
    """
    return Contact.objects.prefetch_related(Prefetch("roles", queryset=Role.objects.only("sys_id", "name")))


def contact_get(*, sys_id: str) -> Contact | None:
    """The contact with this sys_id, or None (also for a malformed id)."""
    return contact_list().filter(pk=sys_id).first()


def contact_work_notes(*, contact: Contact) -> list[JournalEntry]:
    """The contact's work notes, newest first (one query)."""
    return journal_for(table=Contact.sys_table, sys_ids=[contact.sys_id]).get(contact.sys_id, [])

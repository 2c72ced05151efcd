"""Reads of CSM contact records."""

from collections.abc import Sequence

from django.db.models import QuerySet

from contacts.models import Contact
from csm_project.core.models import is_sys_id, role_names_annotation
from csm_project.core.records.queries import apply_encoded_query
from csm_project.core.sql.prepared import PreparedQuery
from csm_project.registry import get_table


def contact_list() -> QuerySet[Contact]:
    """Every contact: unfiltered and unordered, for the API's encoded-query backend to filter,
    order and page. Page on its ``sys_id`` column (``values_list("pk")``) and load the page's
    records with ``contacts_by_sys_ids``: sorting thousands of full rows (the ``sys_user`` parent
    joined, some sixty columns) to keep ten costs several times more than sorting their ids."""
    return Contact.objects.all()


# A page's records by sys_id with their role names, which the wire shape lists: some sixty
# columns over two tables and a subquery, whose SQL costs more to build than to run; built once.
_CONTACTS_BY_ID = PreparedQuery(
    Contact, lambda sys_ids: Contact.objects.filter(pk__any=sys_ids).annotate(**role_names_annotation()), "sys_ids"
)

# The sys_ids of a page of all the contacts in the list's default order (no sysparm_query): the
# SQL the encoded query filter gives, built once, with the page's offset and limit bound.
_IDS_IN_LIST_ORDER = PreparedQuery(
    Contact,
    lambda: apply_encoded_query(contact_list(), "", table=get_table(Contact.sys_table)).only("pk"),
    paged=True,
)


def _read(sys_ids: list[str]) -> list[Contact]:
    """The contacts with these sys_ids (any order) with their role names, in one query."""
    return _CONTACTS_BY_ID.run(sys_ids=sys_ids)


def contact_ids_in_list_order(*, offset: int, limit: int) -> list[str]:
    """The sys_ids of a page of every contact in the list's default order (what
    ``contact_list`` with no encoded query gives), without building its SQL."""
    return [contact.pk for contact in _IDS_IN_LIST_ORDER.run(offset=offset, limit=limit)]


def contacts_by_sys_ids(*, sys_ids: Sequence[str]) -> list[Contact]:
    """The contacts with these sys_ids, in the order given (unknown ids are left out). Two
    queries whatever the number: the records (references are their foreign-key columns, no join
    beyond the ``sys_user`` parent) and their roles."""
    if not sys_ids:
        return []
    found = {contact.pk: contact for contact in _read(list(sys_ids))}
    return [found[sys_id] for sys_id in sys_ids if sys_id in found]


def contact_get(*, sys_id: str) -> Contact | None:
    """The contact with this sys_id, or None (also for a malformed id, which is never sent to the
    database: PostgreSQL refuses a NUL character in a parameter with an error, not "no row")."""
    if not is_sys_id(sys_id):
        return None
    return next(iter(_read([sys_id])), None)

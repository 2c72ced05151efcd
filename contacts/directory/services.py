"""Writes of the contact-center directory: Custom contacts, the one kind stored for it. User
and Queue contacts are read-only here (they are users and queues, managed elsewhere).

Refusals are ``DomainError``s naming the wire attribute (``name``, ``phoneNumber``).
"""

from typing import Any

from django.db import transaction

from contacts.directory.selectors import directory_get
from contacts.models import CustomContact
from csm_project.core.errors import REQUIRED, TOO_LONG, DomainError, ProtectedRecord, RecordMissing
from csm_project.core.models import is_sys_id

MAX_NAME_LENGTH = CustomContact._meta.get_field("name").max_length
MAX_PHONE_LENGTH = CustomContact._meta.get_field("phone_number").max_length
CONTACT_NOT_FOUND = "Contact not found"


def _clean_name(name: Any) -> str:
    if name is None or (isinstance(name, str) and not name.strip()):
        raise DomainError("Missing parameter: name", field="name", code=REQUIRED)
    if not isinstance(name, str):
        raise DomainError("Invalid parameter: name must be a string", field="name")
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise DomainError(
            f"Invalid parameter: name is longer than {MAX_NAME_LENGTH} characters", field="name", code=TOO_LONG
        )
    return name


def _clean_phone_number(phone_number: Any) -> str | None:
    if phone_number is None:
        return None
    if not isinstance(phone_number, str):
        raise DomainError("Invalid parameter: phoneNumber must be a string", field="phoneNumber")
    phone_number = phone_number.strip()
    if len(phone_number) > MAX_PHONE_LENGTH:
        raise DomainError(
            f"Invalid parameter: phoneNumber is longer than {MAX_PHONE_LENGTH} characters",
            field="phoneNumber",
            code=TOO_LONG,
        )
    return phone_number or None


def _writable(contact_id: str) -> CustomContact:
    """The Custom contact ``contact_id``, locked for the rest of the transaction.

    Raises ``ProtectedRecord`` for a User or Queue contact, ``RecordMissing`` for anything else.
    """
    if not is_sys_id(contact_id):
        raise RecordMissing(CONTACT_NOT_FOUND)
    contact = CustomContact.objects.select_for_update().filter(sys_id=contact_id).first()
    if contact is not None:
        return contact
    existing = directory_get(contact_id=contact_id)
    if existing is not None:
        raise ProtectedRecord(f"A contact of type {existing['type']} cannot be changed here")
    raise RecordMissing(CONTACT_NOT_FOUND)


@transaction.atomic
def custom_contact_create(*, name: Any, phone_number: Any = None) -> CustomContact:
    """A new Custom contact. ``name`` is required (surrounding blanks are dropped)."""
    return CustomContact.objects.create(name=_clean_name(name), phone_number=_clean_phone_number(phone_number))


_UNCHANGED = object()


@transaction.atomic
def custom_contact_update(*, contact_id: str, name: Any = _UNCHANGED, phone_number: Any = _UNCHANGED) -> CustomContact:
    """Change the name and/or phone number of a Custom contact; an omitted one is kept.

    Raises ``RecordMissing`` or ``ProtectedRecord`` (User/Queue) before looking at the values,
    then ``DomainError`` (code ``required`` for an empty name). Nothing is written when nothing is given.
    """
    contact = _writable(contact_id)
    changes = {}
    if name is not _UNCHANGED:
        changes["name"] = _clean_name(name)
    if phone_number is not _UNCHANGED:
        changes["phone_number"] = _clean_phone_number(phone_number)
    if changes:
        for field, value in changes.items():
            setattr(contact, field, value)
        contact.save(update_fields=list(changes))
    return contact


@transaction.atomic
def custom_contact_delete(*, contact_id: str) -> None:
    """Remove a Custom contact. Raises ``RecordMissing``, ``ProtectedRecord`` (User/Queue)."""
    _writable(contact_id).delete()

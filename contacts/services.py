"""Writes of CSM contact records: the rules and the transaction of creating a contact.

Errors are Django ``ValidationError``s keyed by the wire field name; the API turns them into its
400 envelope, the admin and commands show them as they are. A failed create writes nothing:
contact, social channel and social profile are one transaction.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts.models import Account, Contact, Location, SocialChannel, SocialProfile
from csm_project.core.models import User
from csm_project.core.record_import import ImportResult, RowError

# Reference fields of a contact the product models, and the model each one names.
CONTACT_REFERENCES: dict[str, type] = {"account": Account, "company": Account, "manager": User, "location": Location}

_SYS_ID = re.compile(r"[0-9a-f]{32}")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

# Model field of a social profile -> the request field it comes from.
_PROFILE_WIRE_NAMES = {"social_id": "social_handle", "profile_url": "social_handle_url", "channel": "social_channel"}


@dataclass(frozen=True)
class SocialProfileRequest:
    """The social media profile asked for on create: channel (sys_id or name), handle, URL."""

    channel: str
    handle: str
    url: str

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> "SocialProfileRequest | None":
        """A request when all three fields are present and non-empty, else None (no profile)."""
        channel, handle, url = (fields.get(key) for key in ("social_channel", "social_handle", "social_handle_url"))
        if not (channel and handle and url):
            return None
        return cls(channel=channel, handle=handle, url=url)


def contact_create(*, fields: dict[str, Any], social: SocialProfileRequest | None = None) -> Contact:
    """Create a contact from wire-named ``fields`` (references as sys_id strings or None), and its
    social media profile when ``social`` is given, in one transaction.

    Rules: a referenced account, company, manager or location must exist; the user name must not
    be taken by any user (compared without case, as logins are); a contact without one gets its
    sys_id as user name (user names are unique); ``name`` defaults to first + last name; the
    contact gets no usable password (staff give logins). Raises ``ValidationError`` and writes
    nothing when a rule fails or the profile cannot be created.
    """
    try:
        with transaction.atomic():
            contact = _insert_contact(fields)
            if social is not None:
                social_profile_create(contact=contact, request=social)
    except IntegrityError:
        # Another request took the user name between our check and our insert.
        raise ValidationError({"user_name": [_name_taken(fields.get("user_name"))]}) from None
    return contact


def _name_taken(user_name: str | None) -> str:
    return f"User name {user_name!r} is already taken"


def _insert_contact(fields: dict[str, Any]) -> Contact:
    values = {key: value for key, value in fields.items() if key not in CONTACT_REFERENCES}
    errors: dict[str, list[str]] = {}
    for key, model in CONTACT_REFERENCES.items():
        sys_id = fields.get(key) or None
        if sys_id is not None and not model.objects.filter(pk=sys_id).exists():
            errors[key] = [f"No {model.sys_table} record with sys_id {sys_id!r}"]
        values[f"{key}_id"] = sys_id
    user_name = values.get("user_name") or None
    if user_name is not None and User.objects.filter(user_name__iexact=user_name).exists():
        errors["user_name"] = [_name_taken(user_name)]
    if errors:
        raise ValidationError(errors)
    contact = Contact(**values)
    contact.user_name = user_name or contact.sys_id
    contact.set_unusable_password()
    contact.save()
    return contact


def social_channel_resolve(*, channel: str) -> SocialChannel:
    """The channel named by sys_id or by name (any case); a new one when no such channel exists.

    Raises ``ValidationError`` for a name that cannot be a channel (too long, control characters).
    """
    if _SYS_ID.fullmatch(channel):
        found = SocialChannel.objects.filter(pk=channel).first()
        if found is not None:
            return found
    found = SocialChannel.objects.filter(name__iexact=channel).order_by("sys_created_on", "sys_id").first()
    if found is not None:
        return found
    if _CONTROL_CHARACTERS.search(channel) or not channel.strip():
        raise ValidationError({"social_channel": ["Invalid social channel name"]})
    created = SocialChannel(name=channel)
    try:
        created.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise ValidationError({"social_channel": _messages(exc)}) from None
    created.save()
    return created


def social_profile_create(*, contact: Contact, request: SocialProfileRequest) -> SocialProfile:
    """A profile of ``contact`` (and of its account) on the requested channel; call it inside the
    contact's transaction so a failure here undoes the contact too."""
    with transaction.atomic():
        channel = social_channel_resolve(channel=request.channel)
        profile = SocialProfile(
            channel=channel,
            social_id=request.handle,
            profile_url=request.url,
            contact=contact,
            account_id=contact.account_id,
        )
        try:
            profile.full_clean(exclude=["channel", "contact", "account"])
        except ValidationError as exc:
            raise ValidationError(
                {_PROFILE_WIRE_NAMES.get(key, key): messages for key, messages in exc.message_dict.items()}
            ) from None
        profile.save()
    return profile


def _messages(exc: ValidationError) -> list[str]:
    return [message for messages in exc.message_dict.values() for message in messages]


@dataclass(frozen=True)
class ContactImportRow:
    """One readable row of an import file: its line, its contact fields, its social profile."""

    line: int
    fields: dict[str, Any]
    social: SocialProfileRequest | None = None


def contacts_import(
    *,
    rows: Iterable[ContactImportRow | RowError],
    dry_run: bool = False,
    progress: Callable[[ImportResult], None] | None = None,
    progress_every: int = 500,
) -> ImportResult:
    """Create a contact (and its social profile) per row with the rules of ``contact_create``,
    all rows or none: a file with any bad row writes nothing, and every bad row is reported.

    ``rows`` may carry ``RowError``s for rows the caller could not read; they count as bad rows.
    Each row runs in a savepoint, so the rows after a bad one are still checked (against the
    rows before it too: a user name repeated in the file is reported on its second line).
    """
    result = ImportResult()
    with transaction.atomic():
        for row in rows:
            result.rows_read += 1
            if isinstance(row, RowError):
                result.errors.append(row)
            else:
                try:
                    contact_create(fields=row.fields, social=row.social)
                except ValidationError as exc:
                    result.errors.extend(
                        RowError(row.line, field, message)
                        for field, messages in exc.message_dict.items()
                        for message in messages
                    )
                else:
                    result.imported += 1
            if progress is not None and result.rows_read % progress_every == 0:
                progress(result)
        if result.errors or dry_run:
            transaction.set_rollback(True)
            result.imported = 0
    return result

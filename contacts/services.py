"""Writes of CSM contact records: the Contact API's create (a contact and its social profile in one
transaction) over the one record write, and ``ContactRules``, the contact's rules for every write
(the API, the Table API, the admin, imports).

Refusals are ``DomainError``s with one ``FieldError`` per wire field name; the API turns them into
its 400 envelope, the admin into form errors, the import command into bad-row reports. A failed create writes nothing:
contact, social channel and social profile are one transaction.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from contacts.models import Consumer, Contact, SocialChannel, SocialProfile
from csm_project.core.errors import UNIQUE, DomainError, FieldError
from csm_project.core.models import is_sys_id
from csm_project.core.records.services import record_create, record_prepare, record_save
from csm_project.core.records.users import UserRules

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

    The contact is written by the one record write with ``ContactRules`` (a referenced account,
    company, manager or location must exist; the user name must not be taken by any user,
    compared without case; a contact without one gets its sys_id; no usable password); the
    look-ups are one query. Raises ``DomainError`` and writes nothing when a rule fails or the
    profile cannot be created.
    """
    write = record_prepare(Contact(), fields, creating=True)
    profile_errors = [
        FieldError(key, message) for key, messages in social_profile_problems(social).items() for message in messages
    ]
    if write.errors or profile_errors:
        refused = {error.field for error in profile_errors}
        raise DomainError([error for error in write.errors if error.field not in refused] + profile_errors)
    # One transaction, no savepoint inside: every failure below undoes the whole create.
    with transaction.atomic():
        contact = record_save(write)
        if social is not None:
            social_profile_create(contact=contact, request=social, savepoint=False)
    return contact


def consumer_create(*, fields: dict[str, Any], social: SocialProfileRequest | None = None) -> Consumer:
    """Create a consumer from wire ``fields`` (the Consumer API's POST: its wire values, read by
    the record engine's field rules), and its social media profile when ``social`` is given,
    in one transaction; raises ``DomainError`` and writes nothing when a rule fails."""
    profile_errors = [
        FieldError(key, message) for key, messages in social_profile_problems(social).items() for message in messages
    ]
    if profile_errors:
        raise DomainError(profile_errors)
    with transaction.atomic():
        consumer = record_create(table=Consumer.sys_table, values=fields)
        if social is not None:
            social_profile_create(consumer=consumer, request=social, savepoint=False)
    return consumer


def social_profile_problems(request: SocialProfileRequest | None) -> dict[str, list[str]]:
    """Why a profile for ``request`` could not be created, told without asking the database: a
    handle or URL longer than its column, a channel name no channel can have."""
    if request is None:
        return {}
    errors: dict[str, list[str]] = {}
    limits = {
        "social_handle": (request.handle, SocialProfile._meta.get_field("social_id").max_length),
        "social_handle_url": (request.url, SocialProfile._meta.get_field("profile_url").max_length),
        "social_channel": (request.channel, SocialChannel._meta.get_field("name").max_length),
    }
    for key, (value, limit) in limits.items():
        if len(value) > limit:
            errors[key] = [f"Ensure this value has at most {limit} characters (it has {len(value)})."]
    if _CONTROL_CHARACTERS.search(request.channel) or not request.channel.strip():
        errors["social_channel"] = ["Invalid social channel name"]
    return errors


def social_channel_resolve(*, channel: str, cache: dict[str, SocialChannel] | None = None) -> SocialChannel:
    """The channel named by sys_id or by name (any case); a new one when no such channel exists.

    Raises ``DomainError`` for a name that cannot be a channel (too long, control characters).
    ``cache`` (channel text -> channel) saves the lookups when many profiles name few channels.
    """
    if cache is not None and channel.lower() in cache:
        return cache[channel.lower()]
    found = SocialChannel.objects.filter(pk=channel).first() if is_sys_id(channel) else None
    if found is None:
        found = SocialChannel.objects.filter(name__iexact=channel).order_by("sys_created_on", "sys_id").first()
    if found is None:
        if _CONTROL_CHARACTERS.search(channel) or not channel.strip():
            raise DomainError("Invalid social channel name", field="social_channel")
        found = _social_channel_create(channel)
    if cache is not None:
        cache[channel.lower()] = found
    return found


def _social_channel_create(name: str) -> SocialChannel:
    """A new channel, written by the one record write; a channel of that name created meanwhile
    (names are unique) is used instead."""
    write = record_prepare(SocialChannel(), {"name": name}, creating=True)
    if any(error.code == UNIQUE for error in write.errors):
        return SocialChannel.objects.get(name=name)
    if write.errors:
        raise DomainError([FieldError("social_channel", error.message, error.code) for error in write.errors])
    try:
        with transaction.atomic():
            return record_save(write)
    except DomainError as refused:
        # A concurrent request created it between the check and the insert: use theirs.
        existing = SocialChannel.objects.filter(name=name).first()
        if existing is None or not any(error.code == UNIQUE for error in refused.errors):
            raise
        return existing


def social_profile_create(
    *,
    contact: Contact | None = None,
    request: SocialProfileRequest,
    channels: dict[str, SocialChannel] | None = None,
    savepoint: bool = True,
    consumer: Consumer | None = None,
) -> SocialProfile:
    """A profile of ``contact`` (and of its account), or of ``consumer``, on the requested
    channel, written by the one record write; call it inside the owner's transaction so a failure
    here undoes the owner too. ``savepoint=False`` when that transaction is given up on any failure anyway (one
    statement pair fewer). Refusals name the request's fields (``social_handle``...)."""
    with transaction.atomic(savepoint=savepoint):
        channel = social_channel_resolve(channel=request.channel, cache=channels)
        # The account is the contact's own, which the contact's write has just checked: set as
        # the record is made, not looked up again. Channel and contact are records: no look-up.
        profile = SocialProfile(account_id=contact.account_id if contact is not None else None)
        values = {"channel": channel, "social_id": request.handle, "profile_url": request.url}
        values.update({"contact": contact} if contact is not None else {"consumer": consumer})
        write = record_prepare(profile, values, creating=True)
        if write.errors:
            raise DomainError(
                [FieldError(_PROFILE_WIRE_NAMES.get(e.field, e.field), e.message, e.code) for e in write.errors]
            )
        record_save(write)
    return profile


class ContactRules(UserRules):
    """Contact rules for every generic write: a contact created without a user name gets its
    sys_id (user names are unique); ``name`` defaults to first + last name (the user model's
    rule); no usable password."""

    def clean(self, record: Contact, *, creating: bool, changed: dict[str, Any]) -> list[FieldError]:
        if creating and not record.user_name:
            record.user_name = record.sys_id
        return super().clean(record, creating=creating, changed=changed)

    def clean_new(self, values: dict[str, Any]) -> list[FieldError] | None:
        if not values.get("user_name"):
            values["user_name"] = values["sys_id"]
        return super().clean_new(values)

"""Contact API shapes (docs/contact-api.md): a contact out, a contact (and social profile) in.

Out: every value is a JSON string (a real client decodes each field into a string and fails on
anything else): empty/NULL -> ``""``, booleans ``"true"``/``"false"``, references the sys_id held
in the foreign-key column (no join), dates ``YYYY-MM-DD HH:MM:SS`` in UTC, ``last_login`` a date,
``roles`` the contact's role names comma-joined (prefetch ``roles``, or it costs a query per row).
The keys are exactly those of the seed's example, in its order.

In: the writable contact fields with strict types (an object or list where a scalar is expected,
``"abc"`` for a number, ``"maybe"`` for a boolean, a bad date or a string longer than its column
is an error naming the field). Unknown fields, system fields, ``roles`` and the login bookkeeping
fields are not fields of this serializer, so they are ignored silently, as the seed promises.
Whether referenced records exist is a rule of the service, not of this shape.
"""

import math
import re
from collections.abc import Callable
from datetime import UTC
from functools import cache
from operator import attrgetter

from django.db import models
from rest_framework import serializers

from contacts.models import Contact
from csm_project.api.openapi import string_object
from csm_project.core.models import SYSTEM_FIELDS
from csm_project.core.records.datetimes import WIRE_FORMAT
from csm_project.core.records.wire_values import text_writer
from csm_project.registry import FieldType, get_table

# The keys of a contact on the wire, in the order of the seed's example (65 keys).
CONTACT_KEYS = (
    "country", "calendar_integration", "last_position_update", "last_login_time", "last_login_device",
    "source", "sys_updated_on", "building", "web_service_access_only", "notification", "sys_updated_by",
    "enable_multifactor_authn", "sys_created_on", "sys_domain", "agent_status", "state", "vip",
    "sys_created_by", "longitude", "zip", "home_phone", "time_format", "last_login", "default_perspective",
    "geolocation_tracked", "active", "time_sheet_policy", "sys_domain_path", "phone", "cost_center", "name",
    "employee_number", "gender", "city", "user_name", "failed_attempts", "edu_status", "latitude", "roles",
    "title", "sys_class_name", "sys_id", "internal_integration_user", "ldap_server", "mobile_phone", "street",
    "company", "department", "first_name", "preferred_language", "introduction", "email", "manager",
    "locked_out", "sys_mod_count", "last_name", "photo", "sys_tags", "middle_name", "time_zone", "schedule",
    "on_schedule", "date_format", "location", "account",
)  # fmt: skip

# Never written through the API: system fields and login bookkeeping.
READ_ONLY_KEYS = frozenset({*SYSTEM_FIELDS, "roles", "last_login"})

SOCIAL_KEYS = ("social_channel", "social_handle", "social_handle_url")

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# PostgreSQL ``integer`` columns: a larger value would fail in the database, not here.
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _date(value) -> str:
    return "" if value is None else value.astimezone(UTC).date().isoformat()


def _formatter(field: models.Field):
    """The wire writer of a contact field (``csm_project.core.records.wire_values``)."""
    if field.name == "last_login":  # a date on the platform, a datetime in Django's auth model
        return _date
    spec = get_table(Contact.sys_table).fields.get(field.name)
    return text_writer(spec.type if spec is not None else FieldType.STRING)


@cache
def _output_plan() -> tuple[tuple[str, ...], Callable, tuple]:
    """The keys in order, one getter of every value's attribute (a reference reads its
    ``<name>_id`` column; ``roles`` reads nothing), and the formatter of each value."""
    keys, attnames, formatters = [], [], []
    for key in CONTACT_KEYS:
        keys.append(key)
        if key == "roles":
            attnames.append("pk")  # a placeholder; the roles come from role_names()
            formatters.append(None)
            continue
        field = Contact._meta.get_field(key)
        attnames.append(field.attname)
        formatters.append(_formatter(field))
    return tuple(keys), attrgetter(*attnames), tuple(formatters)


class ContactOutputSerializer(serializers.BaseSerializer):
    """A contact as the seed shows it. Expects role names read with the records (``role_names_annotation``) on lists."""

    openapi_name = "Contact"

    @classmethod
    def openapi_schema(cls, direction: str) -> dict:
        return string_object(CONTACT_KEYS, description='A customer_contact: every value a string, "" when empty.')

    def to_representation(self, contact: Contact) -> dict[str, str]:
        keys, values_of, formatters = _output_plan()
        return {
            key: ",".join(sorted(contact.role_names())) if formatter is None else formatter(value)
            for key, formatter, value in zip(keys, formatters, values_of(contact), strict=True)
        }


class _EmptyIsNull:
    """``""`` means "no value" for non-string fields, as the platform treats it."""

    def validate_empty_values(self, data):
        if isinstance(data, str) and data == "":
            data = None
        return super().validate_empty_values(data)


class StrictCharField(serializers.CharField):
    """A scalar as text: strings and numbers; objects, lists and booleans are refused, and so are
    control characters other than tab and line breaks (NUL cannot be stored on PostgreSQL, the
    others cannot be written in an XML response)."""

    default_error_messages = {"control": "Control characters are not allowed."}

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, float) and not math.isfinite(data):  # JSON's 1e400 reads as infinity
            self.fail("invalid")
        value = super().to_internal_value(data)
        if _CONTROL_CHARACTERS.search(value):
            self.fail("control")
        return value


class StrictIntegerField(_EmptyIsNull, serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=_INT_MIN, max_value=_INT_MAX, allow_null=True, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictFloatField(_EmptyIsNull, serializers.FloatField):
    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(_EmptyIsNull, serializers.BooleanField):
    """``true``/``false`` in any case, JSON booleans, ``1``/``0``; empty is false."""

    TRUE_VALUES = {"true", "1", 1}
    FALSE_VALUES = {"false", "0", 0}

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.lower()
        return super().to_internal_value(data)

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)
        return False if value is None else value


class WireDateTimeField(_EmptyIsNull, serializers.DateTimeField):
    """``YYYY-MM-DD HH:MM:SS`` (or ``YYYY-MM-DD``) in UTC."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=[WIRE_FORMAT, "%Y-%m-%d"], default_timezone=UTC, allow_null=True, **kwargs)


def _input_field(field: models.Field) -> serializers.Field:
    if isinstance(field, models.ForeignKey):
        return StrictCharField(required=False, max_length=32)
    if isinstance(field, models.BooleanField):
        return StrictBooleanField(required=False)
    if isinstance(field, models.DateTimeField):
        return WireDateTimeField(required=False)
    if isinstance(field, models.FloatField):
        return StrictFloatField(required=False)
    if isinstance(field, models.IntegerField):
        return StrictIntegerField(required=False)
    return StrictCharField(required=False, max_length=getattr(field, "max_length", None))


@cache
def writable_contact_fields() -> tuple[str, ...]:
    """Wire names a POST may set (a reference by its field name: ``account``, not ``account_id``)."""
    return tuple(key for key in CONTACT_KEYS if key not in READ_ONLY_KEYS)


class ContactInputSerializer(serializers.Serializer):
    """The body of ``POST /api/now/contact``; ``validated_data`` holds only the fields sent.

    References come out as the sys_id strings sent (``""`` -> None); the service checks that they
    exist. The three social fields are plain text here; the service validates the profile, inside
    the contact's transaction.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        # Every field is optional and a key not sent is not validated, so only the keys sent get
        # a field (in the usual order, so errors come in the same order): building all sixty for
        # every POST cost a tenth of its time.
        sent = self.initial_data if isinstance(getattr(self, "initial_data", None), dict) else None
        fields = {
            name: _input_field(Contact._meta.get_field(name))
            for name in writable_contact_fields()
            if sent is None or name in sent
        }
        for name in SOCIAL_KEYS:
            if sent is None or name in sent:
                fields[name] = StrictCharField(required=False)
        return fields


def error_detail(errors: dict) -> str:
    """``{"latitude": ["A valid number is required."]}`` -> ``"latitude: A valid number is required."``"""
    parts = []
    for field, messages in errors.items():
        text = " ".join(str(message) for message in messages) if isinstance(messages, list) else str(messages)
        parts.append(f"{field}: {text}")
    return "; ".join(parts)

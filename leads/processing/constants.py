"""``LeadApiConstants``: messages, limits and field lists of the Lead API (the platform's
``LeadAPIConstantsOOB``), including the configurable list of request fields that are ignored."""

import re
from decimal import Decimal

from contacts.models import Account, Consumer, Contact
from csm_project.core.models import SYSTEM_FIELDS, User
from leads.models import Lead, UserGroup


class LeadApiConstants:
    """Messages, limits and field lists of the Lead API. Subclass to change any of them."""

    SYS_CLASS_NAME = "Lead"
    MAX_LINE_ITEMS = 100
    DEFAULT_LIMIT = 20
    MAX_LIMIT = 100

    # Request fields dropped before anything else looks at the request: system fields (never
    # writable through the API) and computed ones.
    IGNORED_FIELDS = frozenset({*SYSTEM_FIELDS, "number", "closed_date", "sys_class_name"})
    LINE_ITEM_IGNORED_FIELDS = frozenset({*SYSTEM_FIELDS, "number", "lead"})

    STRING_FIELDS = (
        "short_description", "reason", "other_reason", "first_name", "middle_name", "last_name", "title",
        "company", "email", "business_phone", "mobile_phone", "website", "street", "city", "state", "zip",
        "country", "external_id", "external_system",
    )  # fmt: skip
    CHOICE_FIELDS = ("stage", "lead_source", "lead_rating", "lead_type", "industry")
    BOOLEAN_FIELDS = ("do_not_call", "do_not_email", "do_not_share")
    REFERENCE_MODELS = {
        "owner": User,
        "account": Account,
        "contact": Contact,
        "consumer": Consumer,
        "lead_group": UserGroup,
        "similar_lead": Lead,
    }
    PHONE_FIELDS = ("business_phone", "mobile_phone")
    LINE_ITEM_STRING_FIELDS = ("external_id", "external_system")
    # Maximum lengths the platform enforces with a 400 (other strings: the column's length).
    MAX_LENGTHS = {"reason": 40, "short_description": 160, "other_reason": 160}

    EMAIL_PATTERN = re.compile(
        r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
    )
    # Digits with an optional leading +, spaces, dashes, dots and parentheses; 7 to 15 digits.
    PHONE_PATTERN = re.compile(r"\+?[0-9 ().-]+")
    PHONE_DIGITS = (7, 15)
    LEAD_SCORE_RANGE = (Decimal(1), Decimal(100))

    INVALID_PAYLOAD = "Invalid payload"
    EMPTY_BODY = "Invalid/empty request body."
    MANDATORY = "Mandatory field is either missing or invalid."
    INVALID_EMAIL = "Invalid email address."
    INVALID_PHONE = "Invalid phone number."
    INVALID_LEAD_SCORE = "Lead score must be a number from 1 to 100."
    TOO_LONG = "Value is longer than the maximum of {max_length} characters."
    QUALIFY_NOT_SUPPORTED = "Qualifying lead is not supported using the API"
    LEAD_CLOSED = "Lead is closed and cannot be updated."
    INVALID_LIMIT = "Invalid limit"
    INVALID_LIMIT_DETAIL = "sysparm_limit must be a whole number from 1 to {max_limit}"
    INVALID_OFFSET = "Invalid offset"
    INVALID_OFFSET_DETAIL = "sysparm_offset must be a whole number, 0 or more"

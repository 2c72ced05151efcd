"""``LeadApiConstants``: what is specific to the Lead API (the platform's ``LeadAPIConstantsOOB``):
its messages, its limits and the configurable list of request fields it ignores. Field lists
(which fields are text, choices, references) come from the model through the registry."""

from csm_project.core.models import SYSTEM_FIELDS


class LeadApiConstants:
    """Messages, limits and the ignore list of the Lead API. Subclass to change any of them."""

    SYS_CLASS_NAME = "Lead"
    MAX_LINE_ITEMS = 100
    DEFAULT_LIMIT = 20
    MAX_LIMIT = 100

    # Request fields dropped before anything else looks at the request: system fields (never
    # writable through the API) and computed ones.
    IGNORED_FIELDS = frozenset({*SYSTEM_FIELDS, "number", "closed_date", "sys_class_name"})
    LINE_ITEM_IGNORED_FIELDS = frozenset({*SYSTEM_FIELDS, "number", "lead"})

    INVALID_PAYLOAD = "Invalid payload"
    EMPTY_BODY = "Invalid/empty request body."
    MANDATORY = "Mandatory field is either missing or invalid."
    INVALID_EMAIL = "Invalid email address."
    INVALID_PHONE = "Invalid phone number."
    INVALID_LEAD_SCORE = "Lead score must be a whole number from 1 to 100."
    QUALIFY_NOT_SUPPORTED = "Qualifying lead is not supported using the API"
    LEAD_CLOSED = "Lead is closed and cannot be updated."
    INVALID_LIMIT = "Invalid limit"
    INVALID_LIMIT_DETAIL = "sysparm_limit must be a whole number from 1 to {max_limit}"
    INVALID_OFFSET = "Invalid offset"
    INVALID_OFFSET_DETAIL = "sysparm_offset must be a whole number, 0 or more"

    # The API's wording of a domain refusal, by field (any other refusal keeps the domain's words;
    # a missing mandatory value is always ``MANDATORY``).
    FIELD_MESSAGES = {
        "email": INVALID_EMAIL,
        "business_phone": INVALID_PHONE,
        "mobile_phone": INVALID_PHONE,
        "lead_score": INVALID_LEAD_SCORE,
    }

"""The case life cycle (docs/case-api.md), run on every write of a case however it arrives
(the Case API, the Table, Batch and import paths, the admin) by ``CaseRules`` on the one write
path (``csm_project.core.records.services``).

- States move only along ``TRANSITIONS``; a new case starts in New, Open or Awaiting Info (or
  Resolved, with what resolving needs).
- Resolving (entering Resolved, or Closed straight from a working state) needs a resolution code
  and close notes; a case closed or cancelled with neither keeps what it had.
- Entering Resolved stamps ``resolved_at``/``resolved_by`` (the acting user); entering Closed
  stamps ``closed_at``/``closed_by``; leaving Resolved for Open clears the resolution stamps.
  ``active`` is false once a case is Closed or Cancelled. These fields are the product's: a
  value sent for them is overwritten.
- A Closed or Cancelled case refuses every change (403, saying why) except by an ``admin``
  (or the system itself: commands, migrations).
- ``opened_at``/``opened_by`` are stamped on create when not given.
- A case a customer opens (``sn_customerservice.customer``, a contact's own login) is on the
  customer's account and names the customer as contact when it names neither; one a consumer
  opens (``sn_customerservice.consumer``) names the consumer whose user it is. The row rules
  (docs/row-access.md) then hold it to those rows.
"""

from typing import Any

from django.utils import timezone

from cases.choice_lists import (
    STATE_AWAITING_INFO,
    STATE_CANCELLED,
    STATE_CLOSED,
    STATE_NEW,
    STATE_OPEN,
    STATE_RESOLVED,
)
from cases.models import Case
from contacts.models import Consumer, Contact
from csm_project.core.access.actor import current_actor_user
from csm_project.core.access.fields import AccessDenied
from csm_project.core.access.role_names import ADMIN, CONSUMER, CUSTOMER
from csm_project.core.errors import INVALID, REQUIRED, FieldError
from csm_project.core.records.hooks import RecordRules

FINAL_STATES = frozenset({STATE_CLOSED, STATE_CANCELLED})
WORKING_STATES = frozenset({STATE_NEW, STATE_OPEN, STATE_AWAITING_INFO})
START_STATES = WORKING_STATES | {STATE_RESOLVED}

#: state -> the states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    STATE_NEW: frozenset({STATE_OPEN, STATE_AWAITING_INFO, STATE_RESOLVED, STATE_CLOSED, STATE_CANCELLED}),
    STATE_OPEN: frozenset({STATE_AWAITING_INFO, STATE_RESOLVED, STATE_CLOSED, STATE_CANCELLED}),
    STATE_AWAITING_INFO: frozenset({STATE_OPEN, STATE_RESOLVED, STATE_CLOSED, STATE_CANCELLED}),
    STATE_RESOLVED: frozenset({STATE_OPEN, STATE_CLOSED}),
    STATE_CLOSED: frozenset(),
    STATE_CANCELLED: frozenset(),
}

STAMPED = ("resolved_at", "resolved_by", "closed_at", "closed_by", "active")

RESOLUTION_CODE_NEEDED = "A resolution code is needed to resolve a case"
CLOSE_NOTES_NEEDED = "Close notes are needed to resolve a case"


def _actor_is_admin() -> bool:
    user = current_actor_user()
    return user is None or user.has_role(ADMIN)


def final_state_refusal(case: Case) -> AccessDenied:
    label = "closed" if case.state == STATE_CLOSED else "cancelled"
    return AccessDenied(f"Case {case.number} is {label}: only an admin may change it")


def case_transition_errors(*, previous: str | None, state: str, creating: bool) -> list[FieldError]:
    """The refusal of moving from ``previous`` to ``state`` (none when allowed)."""
    if creating:
        if state in START_STATES:
            return []
        return [FieldError("state", "A new case starts New, Open, Awaiting Info or Resolved", INVALID)]
    if previous == state or state in TRANSITIONS.get(previous or "", frozenset()):
        return []
    return [FieldError("state", f"A case cannot move from state {previous} to state {state}", INVALID)]


def case_resolution_errors(case: Case) -> list[FieldError]:
    errors = []
    if not case.resolution_code:
        errors.append(FieldError("resolution_code", RESOLUTION_CODE_NEEDED, REQUIRED))
    if not (case.close_notes or "").strip():
        errors.append(FieldError("close_notes", CLOSE_NOTES_NEEDED, REQUIRED))
    return errors


def case_stamp(case: Case, *, previous: str | None, creating: bool, changed: dict[str, Any]) -> None:
    """The product's stamps for the state the case is entering (see the module docstring)."""
    now, user = timezone.now(), current_actor_user()
    entering = creating or ("state" in changed and previous != case.state)
    if creating:
        case.opened_at = case.opened_at or now
        if case.opened_by_id is None and user is not None:
            case.opened_by = user
    if not entering:
        return
    if case.state == STATE_RESOLVED or (case.state == STATE_CLOSED and case.resolved_at is None):
        case.resolved_at, case.resolved_by = now, user
    if case.state == STATE_CLOSED:
        case.closed_at, case.closed_by = now, user
    if case.state in WORKING_STATES:
        case.resolved_at = case.resolved_by = case.closed_at = case.closed_by = None
    case.active = case.state not in FINAL_STATES


def case_default_customer(case: Case) -> None:
    """On a new case opened by a customer or a consumer login, who the case is for (see the
    module docstring), when the case does not say."""
    user = current_actor_user()
    if user is None:
        return
    roles = user.role_names()
    if CUSTOMER in roles and case.account_id is None and case.contact_id is None:
        account = Contact.objects.filter(pk=user.pk).values_list("account_id", flat=True).first()
        if account is not None:
            case.contact_id, case.account_id = user.pk, account
    if CONSUMER in roles and case.consumer_id is None:
        case.consumer_id = Consumer.objects.filter(user_id=user.pk).values_list("pk", flat=True).first()


class CaseRules(RecordRules):
    def clean(self, record: Case, *, creating: bool, changed: dict[str, Any]) -> list[FieldError]:
        if creating:
            case_default_customer(record)
        previous = None if creating else changed.get("state", record.state)
        if not creating and previous in FINAL_STATES and not _actor_is_admin():
            record.state = previous
            raise final_state_refusal(record)
        # The stamped fields are the product's: a value sent for them is put back.
        for name in STAMPED:
            if name in changed and not creating:
                attname = Case._meta.get_field(name).attname
                previous_value = changed[name]
                setattr(record, attname, getattr(previous_value, "pk", previous_value))
        errors = case_transition_errors(previous=previous, state=record.state, creating=creating)
        if creating and errors and _actor_is_admin():
            errors = []  # an admin (or a load of past cases) may create a case in any state
        resolving = record.state == STATE_RESOLVED or (record.state == STATE_CLOSED and previous != STATE_RESOLVED)
        if resolving and (creating or "state" in changed):
            errors += case_resolution_errors(record)
        if not errors:
            case_stamp(record, previous=previous, creating=creating, changed=changed)
        return errors

"""Throttling of repeated failed logins per user name.

Past ``LOGIN_THROTTLE_FAILURES`` failures for one name within ``LOGIN_THROTTLE_WINDOW``
seconds (counted from the window's first failure), every attempt for that name is refused,
right password or not, until the window ends. Names are counted whether or not a user has
them, so the answer says nothing about which names exist. Other names are unaffected.

State lives in the database (``LoginFailures``), shared by every app server. ``clock`` is
the time source; tests replace it.
"""

import hashlib
import math
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Subquery

from csm_project.core.models import LoginFailures

clock = time.time


def _limit() -> int:
    return settings.LOGIN_THROTTLE_FAILURES


def _window() -> float:
    return float(settings.LOGIN_THROTTLE_WINDOW)


def name_digest(user_name: str) -> str:
    """The key a user name's failures are stored under (the name itself is never stored)."""
    return hashlib.sha256(user_name.lower().encode("utf-8", "surrogatepass")).hexdigest()


def stored_state(user_name: str) -> tuple[float, int] | None:
    """The name's current (window start, failures), or None when it has no recorded failure."""
    stored = LoginFailures.objects.filter(name_digest=name_digest(user_name))
    return stored.values_list("window_start", "failures").first()


def seconds_refused(user_name: str) -> int:
    """0 when a login attempt for ``user_name`` may proceed, else whole seconds (at least 1)
    until its window ends."""
    if _limit() <= 0:
        return 0
    state = stored_state(user_name)
    return seconds_refused_for(*state) if state is not None else 0


def state_annotations(digest: str) -> dict[str, Subquery]:
    """Annotations that read the window start and failure count of the name with this
    ``name_digest`` (``throttle_window_start``, ``throttle_failures``, None when it has none) in
    the same statement as another query, so a request whose credentials are already verified
    pays no extra round trip for the check."""
    failures = LoginFailures.objects.filter(name_digest=digest)
    return {
        "throttle_window_start": Subquery(failures.values("window_start")[:1]),
        "throttle_failures": Subquery(failures.values("failures")[:1]),
    }


def seconds_refused_for(window_start: float | None, failures: int | None) -> int:
    """``seconds_refused`` from a name's stored state (as read by ``state_annotations``)."""
    if _limit() <= 0 or window_start is None or failures is None:
        return 0
    remaining = window_start + _window() - clock()
    if failures < _limit() or remaining <= 0:
        return 0
    return max(1, math.ceil(remaining))


def record_failure(user_name: str) -> None:
    """Count one failed login for ``user_name``: in its current window, or in a new one when
    there is none or it has ended. Concurrent failures each count (one UPDATE each)."""
    if _limit() <= 0:
        return
    digest, now = name_digest(user_name), clock()
    current = LoginFailures.objects.filter(name_digest=digest)
    with transaction.atomic():
        if current.filter(window_start__gt=now - _window()).update(failures=F("failures") + 1):
            return
        if current.filter(window_start__lte=now - _window()).update(window_start=now, failures=1):
            return
        # Keep the table small: windows that ended are worth nothing.
        LoginFailures.objects.filter(window_start__lte=now - _window()).delete()
        try:
            with transaction.atomic():
                LoginFailures.objects.create(name_digest=digest, window_start=now, failures=1)
        except IntegrityError:  # another server recorded this name's first failure meanwhile
            current.update(failures=F("failures") + 1)


def forget_failures(user_name: str) -> None:
    """A login that succeeded on a full password check starts the name's count afresh."""
    LoginFailures.objects.filter(name_digest=name_digest(user_name)).delete()

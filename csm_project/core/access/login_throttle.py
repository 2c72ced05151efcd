"""Throttling of repeated failed logins per user name, for every way in (Basic on the APIs,
the admin's login form).

Past ``LOGIN_THROTTLE_FAILURES`` failures for one name within ``LOGIN_THROTTLE_WINDOW``
seconds (counted from the window's first failure), every attempt for that name is refused,
right password or not, until the window ends. Names are counted whether or not a user has
them, so the answer says nothing about which names exist. Other names are unaffected.

An attempt is counted *before* its password is checked, and the same statement reads the count
(``attempt``: one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``), so of any number of
concurrent attempts exactly as many as the limit allows reach the password check; reading first
and counting after the (slow) check let a burst through. A check that succeeds clears the count
(``succeeded``); so ``failures`` is the attempts not followed by a success.

State lives in the database (``LoginFailures``), shared by every app server. ``clock`` is
the time source; tests replace it.
"""

import hashlib
import math
import time

from django.conf import settings
from django.db import connection
from django.db.models import Subquery

from csm_project.core.models import LoginFailures

clock = time.time


def _limit() -> int:
    return settings.LOGIN_THROTTLE_FAILURES


def _window() -> float:
    return float(settings.LOGIN_THROTTLE_WINDOW)


def name_digest(user_name: str) -> str:
    """The key a user name's failures are stored under (the name itself is never stored)."""
    return hashlib.sha256(user_name.lower().encode("utf-8", "surrogatepass")).hexdigest()


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
    """0 when a name with this stored state (as read by ``state_annotations``) may log in, else
    whole seconds (at least 1) until its window ends. Reads only: for credentials verified
    before, which are not checked (nor counted) again."""
    if _limit() <= 0 or window_start is None or failures is None:
        return 0
    remaining = window_start + _window() - clock()
    if failures < _limit() or remaining <= 0:
        return 0
    return max(1, math.ceil(remaining))


def attempt(user_name: str) -> int:
    """Count one login attempt for ``user_name`` and say whether it may go on to the password
    check: 0, else whole seconds (at least 1) until the window ends. One atomic statement."""
    if _limit() <= 0:
        return 0
    digest, now = name_digest(user_name), clock()
    cut = now - _window()
    table = connection.ops.quote_name(LoginFailures._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (name_digest, window_start, failures) VALUES (%s, %s, 1) "  # noqa: S608 - our table
            "ON CONFLICT (name_digest) DO UPDATE SET "
            f"failures = CASE WHEN {table}.window_start <= %s THEN 1 ELSE {table}.failures + 1 END, "
            f"window_start = CASE WHEN {table}.window_start <= %s THEN excluded.window_start "
            f"ELSE {table}.window_start END "
            "RETURNING window_start, failures",
            [digest, now, cut, cut],
        )
        window_start, failures = cursor.fetchone()
        if failures == 1:
            # A new window: the table is kept small by dropping windows that ended.
            cursor.execute(f"DELETE FROM {table} WHERE window_start <= %s", [cut])  # noqa: S608 - our table
    if failures <= _limit():
        return 0
    return max(1, math.ceil(window_start + _window() - now))


def succeeded(user_name: str) -> None:
    """A login that succeeded on a full password check starts the name's count afresh.

    Sign-in bookkeeping, like ``attempt``: plain SQL on the primary, so it is not a write of the
    client's (the read-your-writes cookie is for what the client changed)."""
    table = connection.ops.quote_name(LoginFailures._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE name_digest = %s", [name_digest(user_name)])  # noqa: S608 - our table

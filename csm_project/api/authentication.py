"""HTTP Basic for every API endpoint (docs/platform.md), with login throttling and a short-lived
verification cache.

Throttling: a user name with too many recent failed logins is refused with 429 before any
password check (``csm_project.core.access.login_throttle``); each failure is counted there.

Password hashing is deliberately slow (hundreds of milliseconds), which would make every
Basic-authenticated request slow. After one successful check we remember, for a few minutes
and in this process only, an HMAC of the exact credentials (name and password) together with
the user's password hash at the time. Every hit re-reads the user: a changed password, a
renamed, deactivated or locked-out user, or different credentials miss and are refused or
checked again. The cache only saves hashing; correctness never depends on it being shared.
"""

import hashlib
import hmac
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication

from csm_project.api.errors import ApiError
from csm_project.core.access import login_throttle
from csm_project.core.models import lock_flag, role_names_annotation
from csm_project.core.sql.prepared import PreparedQuery

_TTL_SECONDS = 300
_MAX_ENTRIES = 2048

RATE_LIMITED = "Rate limit exceeded"


class LoginThrottled(ApiError):
    status_code = 429

    def __init__(self, wait: int):
        super().__init__(RATE_LIMITED, f"Too many failed logins for this user name; retry in {wait} seconds", code=20)
        self.wait = wait


class _VerifiedCredentials:
    """Credentials verified recently: HMAC(name, password) -> (user pk, password hash, expiry).
    ``clock`` (monotonic seconds) is replaceable for tests."""

    def __init__(self, ttl: float = _TTL_SECONDS, max_entries: int = _MAX_ENTRIES) -> None:
        self._entries: OrderedDict[bytes, tuple[str, str, float]] = OrderedDict()
        self._lock = threading.Lock()
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = time.monotonic

    @staticmethod
    def key(userid: str, password: str) -> bytes:
        message = f"{len(userid)}:{userid}\0{password}".encode("utf-8", "surrogatepass")
        return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()

    def get(self, key: bytes) -> tuple[str, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[2] <= self.clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[0], entry[1]

    def put(self, key: bytes, pk: str, password_hash: str) -> None:
        with self._lock:
            self._entries[key] = (pk, password_hash, self.clock() + self.ttl)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


verified_credentials = _VerifiedCredentials()

# The user behind verified credentials, with what the request needs to know of it: built once
# per database (its SQL costs more to build than to answer), run on every request.
_CACHED_USER = PreparedQuery(
    get_user_model(),
    lambda pk, digest: (
        get_user_model()
        .objects.annotate(**lock_flag(), **role_names_annotation(), **login_throttle.state_annotations(digest))
        .filter(pk=pk)
    ),
    "pk",
    "digest",
)


class PlatformBasicAuthentication(BasicAuthentication):
    def authenticate_header(self, request) -> str:
        return f'Basic realm="{settings.API_AUTH_REALM}"'

    def authenticate_credentials(self, userid, password, request=None):
        key = verified_credentials.key(userid, password)
        hit = verified_credentials.get(key)
        if hit is not None:
            # One query: the user as stored now, its role names and the name's throttling state.
            found = _CACHED_USER.run(pk=hit[0], digest=login_throttle.name_digest(userid))
            user = found[0] if found else None
            if user is not None:
                wait = login_throttle.seconds_refused_for(user.throttle_window_start, user.throttle_failures)
                if wait:
                    raise LoginThrottled(wait)
                if user.password == hit[1] and user.user_name.lower() == userid.lower():
                    if not user.is_active:
                        raise exceptions.AuthenticationFailed("User inactive or deleted.")
                    return user, None
        state = login_throttle.stored_state(userid)
        wait = login_throttle.seconds_refused_for(*state) if state is not None else 0
        if wait:
            raise LoginThrottled(wait)
        try:
            user, auth = super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            login_throttle.record_failure(userid)
            raise
        if state is not None:
            login_throttle.forget_failures(userid)
        verified_credentials.put(key, user.pk, user.password)
        return user, auth

"""HTTP Basic for every API endpoint (docs/platform.md), with login throttling and a short-lived
verification cache shared by every app server.

Throttling: every attempt that would check a password is counted first, and one past the limit
of recent failed logins for its user name is refused with 429 before any password check
(``csm_project.core.access.login_throttle``); a success clears the count.

Password hashing is deliberately slow (hundreds of milliseconds), which would make every
Basic-authenticated request slow. After one successful check we remember, for a few minutes,
in Django's cache (``CACHES``: this process's memory by default, Redis shared by every app
server in a multi-server deployment), that these exact credentials were right for this user
with its password hash at the time. Neither the password nor the hash is stored: the key is
an HMAC (keyed with ``SECRET_KEY``) of the name and password, the value the user's pk, an HMAC
of its password hash and the entry's expiry. Every hit re-reads the user from the primary: a
changed password, a renamed, deactivated or locked-out user, or different credentials miss and
are refused or checked again, on every server at once. The cache only saves hashing;
correctness never depends on it being shared, reachable or kept.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication

from csm_project.api.errors import ApiError
from csm_project.core.access import login_throttle
from csm_project.core.models import lock_flag, role_names_annotation
from csm_project.core.replicas.routing import primary_reads
from csm_project.core.sql.prepared import PreparedQuery

_TTL_SECONDS = 300
_KEY_PREFIX = "csm-basic-auth:"

RATE_LIMITED = "Rate limit exceeded"


class LoginThrottled(ApiError):
    status_code = 429

    def __init__(self, wait: int):
        super().__init__(RATE_LIMITED, f"Too many failed logins for this user name; retry in {wait} seconds", code=20)
        self.wait = wait


class _VerifiedCredentials:
    """Credentials verified recently, in the ``default`` cache: HMAC(name, password) -> (user
    pk, HMAC(password hash), expiry). ``clock`` (wall seconds, comparable between servers) is
    replaceable for tests."""

    def __init__(self, ttl: float = _TTL_SECONDS) -> None:
        self.ttl = ttl
        self.clock = time.time

    @staticmethod
    def _mac(message: bytes) -> str:
        return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()

    @classmethod
    def key(cls, userid: str, password: str) -> str:
        return _KEY_PREFIX + cls._mac(f"{len(userid)}:{userid}\0{password}".encode("utf-8", "surrogatepass"))

    @classmethod
    def fingerprint(cls, password_hash: str) -> str:
        """What stands for the user's password hash in the cache."""
        return cls._mac(b"password-hash\0" + password_hash.encode())

    def get(self, key: str) -> tuple[str, str] | None:
        """(user pk, fingerprint of the password hash) while the entry lasts, else None."""
        entry = caches["default"].get(key)
        if not isinstance(entry, tuple) or len(entry) != 3 or entry[2] <= self.clock():
            return None
        return entry[0], entry[1]

    def put(self, key: str, pk: str, password_hash: str) -> None:
        entry = (pk, self.fingerprint(password_hash), self.clock() + self.ttl)
        caches["default"].set(key, entry, timeout=self.ttl)

    def clear(self) -> None:
        """Forget every entry (tests): clears the whole ``default`` cache."""
        caches["default"].clear()


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
        # Sign-in reads the primary: a password change, deactivation, lock-out or throttling
        # applies at once on every server, however far behind a read replica is.
        with primary_reads():
            return self._authenticate(userid, password, request)

    def _authenticate(self, userid, password, request):
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
                same_hash = hmac.compare_digest(verified_credentials.fingerprint(user.password), hit[1])
                if same_hash and user.user_name.lower() == userid.lower():
                    if not user.is_active:
                        raise exceptions.AuthenticationFailed("User inactive or deleted.")
                    return user, None
        # Counted before the password check, in one statement with the check of the count, so a
        # burst of concurrent attempts gets exactly as many checks as the limit allows.
        wait = login_throttle.attempt(userid)
        if wait:
            raise LoginThrottled(wait)
        user, auth = super().authenticate_credentials(userid, password, request)
        # The role names too come from the primary: read later, on a replica still behind, a
        # role granted a moment ago would be missing and the request refused.
        user.role_names()
        login_throttle.succeeded(userid)
        verified_credentials.put(key, user.pk, user.password)
        return user, auth

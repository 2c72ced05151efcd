"""HTTP Basic for every API endpoint (docs/platform.md), with a short-lived verification cache.

Password hashing is deliberately slow (hundreds of milliseconds), which would make every
Basic-authenticated request slow. After one successful check we remember, for a few minutes,
an HMAC of the exact credentials together with the user's current password hash. A changed
password, a deactivated user or different credentials miss the cache and are checked again.
"""

import hashlib
import hmac
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.contrib.auth import get_user_model
from rest_framework.authentication import BasicAuthentication

_TTL_SECONDS = 300
_MAX_ENTRIES = 2048


class _VerifiedCredentials:
    def __init__(self) -> None:
        self._entries: OrderedDict[bytes, tuple[str, str, float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(userid: str, password: str) -> bytes:
        return hmac.new(settings.SECRET_KEY.encode(), f"{userid}\0{password}".encode(), hashlib.sha256).digest()

    def get(self, key: bytes) -> tuple[str, str] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[2] < time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[0], entry[1]

    def put(self, key: bytes, pk: str, password_hash: str) -> None:
        with self._lock:
            self._entries[key] = (pk, password_hash, time.monotonic() + _TTL_SECONDS)
            self._entries.move_to_end(key)
            while len(self._entries) > _MAX_ENTRIES:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


verified_credentials = _VerifiedCredentials()


class PlatformBasicAuthentication(BasicAuthentication):
    def authenticate_header(self, request) -> str:
        return f'Basic realm="{settings.API_AUTH_REALM}"'

    def authenticate_credentials(self, userid, password, request=None):
        key = verified_credentials.key(userid, password)
        hit = verified_credentials.get(key)
        if hit is not None:
            user = get_user_model().objects.filter(pk=hit[0]).first()
            if user is not None and user.is_active and user.password == hit[1] and user.user_name == userid:
                return user, None
        user, auth = super().authenticate_credentials(userid, password, request)
        verified_credentials.put(key, user.pk, user.password)
        return user, auth

"""The read scope of each request, and the read-your-writes cookie (docs/deployment.md).

A request reads from the primary when it may write (any method but GET and HEAD), carries a
session (the admin), or comes from a client that wrote within ``READ_YOUR_WRITES_SECONDS``;
other requests may read from a replica. An answer to a request that wrote sets ``csm_ryw``, a
cookie signed with ``SECRET_KEY`` whose signature holds the time it was made: it is honoured
for ``READ_YOUR_WRITES_SECONDS`` by every app server (they share the key), so a client that
keeps cookies (browsers, ``requests.Session``, pysnc, pysnow) reads its own writes whichever
server answers next. The window must be at least ``DATABASE_REPLICA_MAX_LAG``: after it, every
replica still in use has what the client wrote.
"""

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed

from csm_project.core.replicas.routing import read_scope

COOKIE = "csm_ryw"
_SALT = "csm_project.core.replicas.read-your-writes"
_READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


class ReadRoutingMiddleware:
    """Opens each request's read scope (``routing``). Not used when no replica is configured."""

    def __init__(self, get_response):
        if not settings.DATABASE_REPLICAS:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        primary = (
            request.method not in _READ_ONLY_METHODS
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or _wrote_recently(request)
        )
        with read_scope(primary=primary) as scope:
            response = self.get_response(request)
        if scope.wrote:
            response.set_signed_cookie(
                COOKIE,
                "1",
                salt=_SALT,
                max_age=settings.READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def _wrote_recently(request) -> bool:
    window = settings.READ_YOUR_WRITES_SECONDS
    return request.get_signed_cookie(COOKIE, default=None, salt=_SALT, max_age=window) is not None

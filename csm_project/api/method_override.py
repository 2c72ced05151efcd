"""``X-HTTP-Method-Override``: a client that can only send GET and POST (a proxy that drops
other methods, some HTTP libraries) sends POST with this header naming PUT, PATCH or DELETE, and
the request is handled exactly as that method, rights included: everything after this
middleware (authentication, table rules, routing) sees the overridden method only.

Only a POST is overridden, and only to PUT, PATCH or DELETE (a POST cannot become a read); any
other value is a 400 in the API's envelope. Pages outside ``/api/`` ignore the header.
"""

from csm_project.ops.middleware import envelope

OVERRIDE_HEADER = "X-HTTP-Method-Override"
OVERRIDABLE = frozenset({"PUT", "PATCH", "DELETE"})


class MethodOverrideMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        wanted = request.headers.get(OVERRIDE_HEADER)
        if wanted is not None and request.method == "POST" and request.path.startswith("/api/"):
            method = wanted.strip().upper()
            if method not in OVERRIDABLE:
                return envelope(
                    request.path,
                    400,
                    f"{OVERRIDE_HEADER} must be PUT, PATCH or DELETE",
                    f"A POST cannot be handled as {wanted.strip()[:20]!r}",
                    400,
                )
            request.method = method
        return self.get_response(request)

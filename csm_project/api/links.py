"""Absolute links the APIs emit (paging ``Link`` headers, the directory's ``uri``).

With ``INSTANCE_URL`` set (production), every link starts with it, whatever ``Host`` header
the request carried, so a forged header can never put another site into a response. Without
it (development), links use the request's own host, which ``ALLOWED_HOSTS`` has vetted.
"""

from django.conf import settings


def absolute_url(request, path: str) -> str:
    """``path`` (starting with ``/``) as an absolute URL of this instance."""
    base = settings.INSTANCE_URL
    if base:
        return base + path
    return request.build_absolute_uri(path)

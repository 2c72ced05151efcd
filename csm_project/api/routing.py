"""URL patterns for viewsets, with the optional version segment of docs/platform.md."""

from rest_framework.routers import SimpleRouter

VERSION_SEGMENT = r"(?:(?P<version>v[0-9]+)/)?"


class PlatformRouter(SimpleRouter):
    """Routes ``<resource>`` and ``v<N>/<resource>`` to the same viewset; no trailing slash
    is required (clients call ``/api/now/contact``), one is tolerated."""

    def __init__(self, *, versioned: bool = True) -> None:
        super().__init__()
        self.trailing_slash = "/?"  # SimpleRouter only takes a bool; the pattern is ours
        self.versioned = versioned

    def register(self, prefix, viewset, basename=None):
        super().register((VERSION_SEGMENT if self.versioned else "") + prefix, viewset, basename=basename)

"""Versioned URLs (docs/platform.md): ``/api/now/contact`` and ``/api/now/v1/contact`` are the
same endpoint; any other version is a 400 with the error envelope."""

from rest_framework.versioning import BaseVersioning

from csm_project.api.errors import UnknownVersion

LATEST = "v1"
SUPPORTED = frozenset({"v1"})


class PlatformVersioning(BaseVersioning):
    def determine_version(self, request, *args, **kwargs) -> str:
        version = kwargs.get("version") or LATEST
        if version not in SUPPORTED:
            raise UnknownVersion()
        return version

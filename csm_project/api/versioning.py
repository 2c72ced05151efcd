"""Versioned URLs (docs/platform.md): ``/api/now/contact`` and ``/api/now/v1/contact`` are the
same endpoint; any other version is a 400 with the error envelope.

A URL-path versioning class, so the schema generator knows the versions: it lists each
versioned route once per allowed version.
"""

from rest_framework.versioning import URLPathVersioning

from csm_project.api.errors import UnknownVersion

LATEST = "v1"
SUPPORTED = frozenset({"v1"})


class PlatformVersioning(URLPathVersioning):
    default_version = LATEST
    allowed_versions = SUPPORTED
    version_param = "version"

    def determine_version(self, request, *args, **kwargs) -> str:
        version = kwargs.get(self.version_param) or LATEST
        if version not in SUPPORTED:
            raise UnknownVersion()
        return version

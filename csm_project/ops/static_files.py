"""Static files (the admin's styles and scripts, the API explorer's assets) as production serves
them: ``collectstatic`` writes each file under a name holding a hash of its content, with a
gzip-compressed copy beside it, and a manifest of the names; pages link to the hashed names, and
whitenoise serves those with a cache of a year (``immutable``) and the compressed copy to
clients that accept it.

Before ``collectstatic`` has run (a fresh clone under ``runserver``, the test suite), there is no
manifest: pages then link to the plain names, which whitenoise finds in the apps' folders
(``WHITENOISE_USE_FINDERS``, on only while nothing is collected; see settings).
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage

MANIFEST = "staticfiles.json"


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed copies once collected; the plain names until then."""

    manifest_name = MANIFEST
    # A file missing from the manifest (added since the last collectstatic) is hashed from the
    # collected folder instead of failing the page.
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        if not self.manifest_hash:  # nothing collected yet
            return name
        return super().stored_name(name)

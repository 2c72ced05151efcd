"""Settings for the test suite: the project's settings with a test key and a fast hasher."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-suite-only-key")

from csm_project.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Test-only tables for the encoded query engine's tests (tests/eqtestapp).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.eqtestapp"]  # noqa: F405

# Static files straight from the apps (as in development); the production path, collectstatic
# then gunicorn, is exercised by tests/e2e/test_server_processes.py.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # The test database is a real file, not Django's shared in-memory one: an in-memory database
    # has no WAL journal and locks whole tables between connections, so tests with concurrent
    # writers (threads, a live server) would not run as a deployment does. One file per test
    # process, so two runs side by side never share it; Django deletes it at the end.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"csm_test_{os.getpid()}.sqlite3"),
    }

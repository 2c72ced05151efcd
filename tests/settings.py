"""Settings for the test suite: the project's settings with a test key and a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-key")

from csm_project.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Test-only tables for the encoded query engine's tests (tests/eqtestapp).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.eqtestapp"]  # noqa: F405

# Static files straight from the apps (as in development); the production path, collectstatic
# then gunicorn, is exercised by tests/e2e/test_server_processes.py.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = True

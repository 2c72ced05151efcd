"""Settings for the test suite: the project's settings with a test key and a fast hasher."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-key")

from csm_project.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Test-only tables for the encoded query engine's tests (tests/eqtestapp).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.eqtestapp"]  # noqa: F405

# Static files come from the apps (WhiteNoise's finders); nothing is collected for tests.
STATIC_ROOT = None

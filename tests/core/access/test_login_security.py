"""Basic-auth logins: throttling of failed attempts per user name, locked-out and deactivated
users, user names without case, hostile names, and the verification cache (which must never
let a wrong password, a stale user or an expired entry through)."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from csm_project.api.authentication import verified_credentials
from csm_project.core.access import login_throttle
from csm_project.core.access.roles import user_grant_roles, user_revoke_roles
from csm_project.core.models import LoginFailures, User, role_names_annotation
from tests.conftest import basic_auth
from tests.contacts.factories_contacts import ContactFactory
from tests.factories import TEST_PASSWORD

CONTACTS = "/api/now/contact"
DIRECTORY = "/api/v2/contacts"
UNAUTHENTICATED = {
    "error": {"message": "User Not Authenticated", "detail": "Required to provide Auth information"},
    "status": "failure",
}


class Clock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """One fake time source for the throttle (wall seconds) and the credential cache."""
    fake = Clock()
    monkeypatch.setattr(login_throttle, "clock", fake)
    monkeypatch.setattr(verified_credentials, "clock", fake)
    return fake


@pytest.fixture
def throttle(settings):
    settings.LOGIN_THROTTLE_FAILURES = 3
    settings.LOGIN_THROTTLE_WINDOW = 60


def get(path: str, user_name: str, password: str = TEST_PASSWORD):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic_auth(user_name, password))
    return client.get(path)


@pytest.fixture
def integrator(make_user) -> User:
    return make_user("csm_ws_integration", "contact_center_agent", user_name="jane.integrator")


# --- throttling ---------------------------------------------------------------------------


def test_past_the_limit_a_name_is_refused_with_429_until_the_window_passes(integrator, throttle, clock):
    for _ in range(3):
        response = get(CONTACTS, "jane.integrator", "wrong")
        assert response.status_code == 401
        assert response.json() == UNAUTHENTICATED

    refused = get(CONTACTS, "jane.integrator", "wrong")
    assert refused.status_code == 429
    assert refused.json()["status"] == "failure"
    assert refused.json()["error"]["message"] == "Rate limit exceeded"
    assert refused["Retry-After"] == "60"

    right_password = get(CONTACTS, "jane.integrator")
    assert right_password.status_code == 429

    clock.now += 45
    later = get(CONTACTS, "jane.integrator")
    assert later.status_code == 429 and later["Retry-After"] == "15"

    clock.now += 15
    assert get(CONTACTS, "jane.integrator").status_code == 200


def test_credentials_verified_before_the_failures_are_refused_too(integrator, throttle, clock, hash_checks):
    assert get(CONTACTS, "jane.integrator").status_code == 200  # now in the verification cache
    for _ in range(3):
        assert get(CONTACTS, "jane.integrator", "wrong").status_code == 401

    cached = get(CONTACTS, "jane.integrator")
    assert cached.status_code == 429 and cached["Retry-After"] == "60"
    clock.now += 60
    assert get(CONTACTS, "jane.integrator").status_code == 200
    assert hash_checks.count(TEST_PASSWORD) == 1  # the later success came from the cache


def test_names_are_counted_without_case_and_other_names_are_unaffected(integrator, make_user, throttle, clock):
    make_user("csm_ws_integration", user_name="other.user")
    for name in ("jane.integrator", "JANE.integrator", "Jane.Integrator"):
        assert get(CONTACTS, name, "wrong").status_code == 401

    assert get(CONTACTS, "jane.integrator").status_code == 429
    assert get(CONTACTS, "other.user").status_code == 200
    assert get(CONTACTS, "other.user", "wrong").status_code == 401


def test_unknown_names_are_throttled_alike_so_the_answer_reveals_nothing(integrator, throttle, clock):
    answers = []
    for name in ("jane.integrator", "nobody.here"):
        answers.append([get(CONTACTS, name, "wrong").status_code for _ in range(4)])
    assert answers[0] == answers[1] == [401, 401, 401, 429]
    assert LoginFailures.objects.count() == 2
    assert not LoginFailures.objects.filter(name_digest__contains="nobody").exists()


def test_the_window_counts_from_its_first_failure(integrator, throttle, clock):
    assert get(CONTACTS, "jane.integrator", "wrong").status_code == 401
    clock.now += 50
    assert get(CONTACTS, "jane.integrator", "wrong").status_code == 401
    clock.now += 11  # the first window ended: this failure opens a new one
    assert get(CONTACTS, "jane.integrator", "wrong").status_code == 401
    assert get(CONTACTS, "jane.integrator", "wrong").status_code == 401
    assert LoginFailures.objects.get().failures == 2
    assert get(CONTACTS, "jane.integrator").status_code == 200


def test_a_full_password_check_that_succeeds_starts_the_count_afresh(integrator, throttle, clock):
    for _ in range(2):
        assert get(CONTACTS, "jane.integrator", "wrong").status_code == 401
    assert get(CONTACTS, "jane.integrator").status_code == 200
    for _ in range(3):
        assert get(CONTACTS, "jane.integrator", "wrong").status_code == 401
    assert get(CONTACTS, "jane.integrator", "wrong").status_code == 429


def test_the_contact_center_api_answers_429_in_its_own_envelope(integrator, throttle, clock):
    for _ in range(3):
        assert get(DIRECTORY, "jane.integrator", "wrong").status_code == 401
    refused = get(DIRECTORY, "jane.integrator")
    assert refused.status_code == 429
    assert refused.json() == {"statusCode": 20, "statusMessage": "Rate limit exceeded"}
    assert refused["Retry-After"] == "60"


def test_zero_failures_turns_throttling_off(integrator, settings, clock):
    settings.LOGIN_THROTTLE_FAILURES = 0
    assert [get(CONTACTS, "jane.integrator", "wrong").status_code for _ in range(12)] == [401] * 12
    assert not LoginFailures.objects.exists()


# --- who may log in -------------------------------------------------------------------------


def test_user_names_match_without_case(integrator):
    assert get(CONTACTS, "JANE.Integrator").status_code == 200
    assert get(CONTACTS, "jane.integrator").status_code == 200


@pytest.mark.parametrize("name", ["jane\x00integrator", "\x00", "jane.integrator\x00"])
def test_a_nul_character_in_the_user_name_is_a_401(integrator, name):
    response = get(CONTACTS, name)
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_locked_out_contact_cannot_log_in(db):
    contact = ContactFactory(user_name="locked.contact", locked_out=True)
    contact.set_password(TEST_PASSWORD)
    contact.save()
    user_grant_roles(user=contact, roles=["csm_ws_integration"])

    assert get(CONTACTS, "locked.contact").status_code == 401
    type(contact).objects.filter(pk=contact.pk).update(locked_out=False)
    assert get(CONTACTS, "locked.contact").status_code == 200


def test_a_locked_out_user_has_no_role(db):
    contact = ContactFactory(user_name="locked.role", locked_out=True)
    user_grant_roles(user=contact, roles=["csm_ws_integration"])
    as_user = User.objects.get(pk=contact.pk)
    assert as_user.is_locked_out and not as_user.is_active
    assert not as_user.has_role("csm_ws_integration")


# --- the verification cache -----------------------------------------------------------------


@pytest.fixture
def hash_checks(monkeypatch) -> list[str]:
    """Every password hash verification, counted."""
    calls: list[str] = []
    original = MD5PasswordHasher.verify

    def counting(self, password, encoded):
        calls.append(password)
        return original(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", counting)
    return calls


def test_right_then_wrong_password_is_a_401(integrator, hash_checks):
    assert get(CONTACTS, "jane.integrator").status_code == 200
    wrong = get(CONTACTS, "jane.integrator", "not-the-password")
    assert wrong.status_code == 401
    assert wrong.json() == UNAUTHENTICATED
    assert get(CONTACTS, "jane.integrator", TEST_PASSWORD + "x").status_code == 401
    assert get(CONTACTS, "jane.integrator", "").status_code == 401


def test_the_password_hash_runs_once_per_cache_lifetime(integrator, hash_checks, clock):
    for _ in range(5):
        assert get(CONTACTS, "jane.integrator").status_code == 200
    assert hash_checks == [TEST_PASSWORD]

    clock.now += verified_credentials.ttl - 1
    assert get(CONTACTS, "jane.integrator").status_code == 200
    assert len(hash_checks) == 1


def test_entries_expire(integrator, hash_checks, clock):
    assert get(CONTACTS, "jane.integrator").status_code == 200
    key = verified_credentials.key("jane.integrator", TEST_PASSWORD)
    assert verified_credentials.get(key) is not None

    clock.now += verified_credentials.ttl
    assert verified_credentials.get(key) is None
    assert get(CONTACTS, "jane.integrator").status_code == 200
    assert len(hash_checks) == 2


def test_a_deactivated_user_in_the_cache_is_a_401(integrator, hash_checks):
    assert get(CONTACTS, "jane.integrator").status_code == 200
    User.objects.filter(pk=integrator.pk).update(active=False)

    assert get(CONTACTS, "jane.integrator").status_code == 401
    assert get(DIRECTORY, "jane.integrator").status_code == 401


def test_a_locked_out_contact_in_the_cache_is_a_401(db):
    contact = ContactFactory(user_name="soon.locked")
    contact.set_password(TEST_PASSWORD)
    contact.save()
    user_grant_roles(user=contact, roles=["csm_ws_integration"])
    assert get(CONTACTS, "soon.locked").status_code == 200

    type(contact).objects.filter(pk=contact.pk).update(locked_out=True)

    response = get(CONTACTS, "soon.locked")
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_revoked_role_is_seen_while_the_credentials_are_cached(integrator):
    assert get(CONTACTS, "jane.integrator").status_code == 200
    user_revoke_roles(user=integrator, roles=["csm_ws_integration"])
    assert get(CONTACTS, "jane.integrator").status_code == 403


def test_a_changed_password_or_renamed_user_misses_the_cache(integrator):
    assert get(CONTACTS, "jane.integrator").status_code == 200
    integrator.set_password("new-password-1")
    integrator.save()
    assert get(CONTACTS, "jane.integrator").status_code == 401
    assert get(CONTACTS, "jane.integrator", "new-password-1").status_code == 200

    User.objects.filter(pk=integrator.pk).update(user_name="jane.renamed")
    assert get(CONTACTS, "jane.integrator", "new-password-1").status_code == 401
    assert get(CONTACTS, "JANE.renamed", "new-password-1").status_code == 200


def test_cached_credentials_and_the_role_check_cost_one_query(integrator):
    """The user, its role names and the throttle state are one statement; the role check that
    follows runs none of its own."""
    assert get(CONTACTS, "jane.integrator").status_code == 200  # the password check, then cached
    with CaptureQueriesContext(connection) as queries:
        response = get(f"{CONTACTS}/{'0' * 32}", "jane.integrator")
    assert response.status_code == 404  # signed in, role checked, then the lookup
    assert len(queries.captured_queries) == 2
    assert "sys_user_role" in queries.captured_queries[0]["sql"]
    assert "customer_contact" in queries.captured_queries[1]["sql"]


def test_a_user_with_several_roles_or_none_reads_them_with_the_user(integrator, make_user):
    user_grant_roles(user=integrator, roles=["sn_lead_mgmt_core.lead_integrator"])
    user = User.objects.annotate(**role_names_annotation()).get(pk=integrator.pk)
    assert user.role_names() == {"csm_ws_integration", "contact_center_agent", "sn_lead_mgmt_core.lead_integrator"}
    bare = make_user(user_name="no.roles")
    assert User.objects.annotate(**role_names_annotation()).get(pk=bare.pk).role_names() == frozenset()

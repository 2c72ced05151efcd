"""Operations, in process: probes, security headers, request ids in answers and logs, the
request-line limit, links that never follow the Host header, the 503 answer when the database
is unreachable, and `check --deploy` in the README's production configuration."""

import json
import logging
import subprocess
import sys

import pytest
from django.db import OperationalError
from django.test import Client

from contacts.models import Contact
from csm_project.core.access import login_throttle
from csm_project.ops import views as ops_views
from csm_project.ops.logs import JsonFormatter, RequestIdFilter
from tests.contacts.factories_contacts import ContactFactory
from tests.servers import ROOT, clean_environment

# --- probes -------------------------------------------------------------------------------


def test_healthz_answers_without_credentials_or_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


class _DownConnection:
    def cursor(self):
        raise OperationalError('connection to server at "db.internal" (10.0.0.5), port 5432 failed: secret')


def test_readyz_is_503_with_the_reason_when_the_database_does_not(client, monkeypatch):
    monkeypatch.setattr(ops_views, "connection", _DownConnection())
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert "10.0.0.5" not in response.content.decode() and "secret" not in response.content.decode()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/now/contact",
            {
                "error": {"message": "Service Unavailable", "detail": "The database is not reachable; retry later"},
                "status": "failure",
            },
        ),
        ("/api/v2/contacts", {"statusCode": 4, "statusMessage": "Service Unavailable"}),
    ],
)
def test_an_unreachable_database_is_a_503_envelope(client, monkeypatch, path, body):
    def down(user_name):
        raise OperationalError("could not connect: password=hunter2")

    monkeypatch.setattr(login_throttle, "stored_state", down)
    response = client.get(path, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert response.status_code == 503
    assert response.json() == body
    assert response["Retry-After"] == "5"


# --- headers --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/healthz", "/api/now/contact", "/admin/login/", "/static/admin/css/base.css", "/no/such/page"]
)
def test_every_response_says_nosniff(client, path):
    response = client.get(path)
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_pages_refuse_framing(client):
    assert client.get("/admin/login/")["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_admin_static_files_are_served_by_the_app_with_their_type(client):
    response = client.get("/static/admin/css/base.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


# --- request ids and logs -------------------------------------------------------------------


def test_an_incoming_request_id_is_echoed_and_one_is_made_otherwise(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/healthz")["X-Request-ID"]


@pytest.mark.parametrize("hostile", ["a\nb", "x" * 200, "id with spaces", '"}{'])
def test_an_unsafe_request_id_is_replaced(client, hostile):
    answered = client.get("/healthz", HTTP_X_REQUEST_ID=hostile)["X-Request-ID"]
    assert answered != hostile and len(answered) == 32


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.mark.django_db
def test_log_lines_are_json_with_the_request_id():
    capture = _Capture()
    logging.getLogger().addHandler(capture)
    try:
        response = Client().get("/api/now/no-such-thing", HTTP_X_REQUEST_ID="req-7")
    finally:
        logging.getLogger().removeHandler(capture)

    assert response.status_code == 401
    entries = [json.loads(line) for line in capture.lines]
    assert entries, "the 401 is logged by django.request"
    for entry in entries:
        assert {"timestamp", "level", "logger", "message", "request_id"} <= set(entry)
        assert entry["request_id"] == "req-7"
    assert any(entry["logger"] == "django.request" and entry["level"] == "WARNING" for entry in entries)


def test_a_log_line_outside_a_request_has_no_request_id():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom %s", ("now",), None)
    RequestIdFilter().filter(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "boom now" and entry["request_id"] == "-" and entry["level"] == "ERROR"
    assert entry["timestamp"].endswith("+00:00")


# --- request lines --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_line_of_16_kib_is_served_and_a_longer_one_is_a_414_envelope(client_for):
    api = client_for("csm_ws_integration", "contact_center_agent")
    ids = ",".join(["0123456789abcdef0123456789abcdef"] * 440)  # about 15 KiB once encoded
    assert api.get("/api/now/contact", {"sysparm_query": f"sys_idIN{ids}"}).status_code == 200

    refused = api.get("/api/now/contact", {"sysparm_query": "x" * 16_400})
    assert refused.status_code == 414
    assert refused.json() == {
        "error": {"message": "Request-URI Too Long", "detail": refused.json()["error"]["detail"]},
        "status": "failure",
    }
    assert "at most 16384" in refused.json()["error"]["detail"]
    directory = api.get("/api/v2/contacts", {"name": "x" * 16_400})
    assert directory.status_code == 414
    assert directory.json() == {"statusCode": 2, "statusMessage": "Request-URI Too Long"}


# --- links and the Host header -------------------------------------------------------------


@pytest.fixture
def instance_url(settings):
    settings.INSTANCE_URL = "https://csm.example.com"
    settings.ALLOWED_HOSTS = ["*"]


def test_paging_links_use_the_instance_url_not_the_host_header(instance_url, client_for):
    ContactFactory.create_batch(3)
    api = client_for("csm_ws_integration")
    response = api.get("/api/now/contact", {"sysparm_limit": 1}, HTTP_HOST="evil.example")
    assert response.status_code == 200
    links = [part.split(">")[0].lstrip(" <") for part in response["Link"].split(",")]
    assert links and all(link.startswith("https://csm.example.com/api/now/contact?") for link in links)
    assert "evil" not in response["Link"]


def test_lead_links_use_the_instance_url_not_the_host_header(instance_url, client_for):
    api = client_for("sn_lead_mgmt_core.lead_integrator")
    response = api.get("/api/sn_lead_mgmt_core/lead", HTTP_HOST="evil.example")
    assert response.status_code in (200, 206)
    assert "https://csm.example.com/api/sn_lead_mgmt_core/lead?" in response["Links"]
    assert "evil" not in response["Links"]


def test_directory_uris_use_the_instance_url_not_the_host_header(instance_url, client_for):
    ContactFactory(user_name="dir.user")
    api = client_for("contact_center_agent")
    listed = api.get("/api/v2/contacts", {"type": "User"}, HTTP_HOST="evil.example").json()
    assert listed["contacts"]
    assert all(contact["uri"].startswith("https://csm.example.com/api/v2/contacts/") for contact in listed["contacts"])
    created = api.get(
        f"/api/v2/contacts/{Contact.objects.get(user_name='dir.user').sys_id}", HTTP_HOST="evil.example"
    ).json()
    assert "evil" not in json.dumps(created)


# --- production configuration ---------------------------------------------------------------

PRODUCTION = {
    "SECRET_KEY": "q8Zr-3vK0p_Lm2Yx7Tn4Wb9Hs6Jd1Fg5Ac8Ve3Ru0Oi7Py2Qw4Ek9Mt6Nz1Xl5Cj3",
    "ALLOWED_HOSTS": "csm.example.com",
    "INSTANCE_URL": "https://csm.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://csm.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SECURE_COOKIES": "true",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
}


def run_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean_environment(DJANGO_SETTINGS_MODULE="csm_project.settings", **env),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_check_deploy_is_clean_in_the_documented_production_configuration(tmp_path):
    result = run_check({**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_the_security_settings(tmp_path):
    result = run_check({"SECRET_KEY": PRODUCTION["SECRET_KEY"], "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stdout + result.stderr


def test_a_malformed_instance_url_stops_start_up():
    result = subprocess.run(
        [sys.executable, "-c", "import csm_project.settings"],
        cwd=ROOT,
        env=clean_environment(SECRET_KEY="k", INSTANCE_URL="csm.example.com/path"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 and "INSTANCE_URL" in result.stderr

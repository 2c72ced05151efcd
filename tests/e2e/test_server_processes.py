"""The README's ways of running the product, as real server processes on loopback:
the development command (migrate, seed_demo, runserver on SQLite) and production (gunicorn
with the repository's configuration, DEBUG off, static files from the app, probes, limits)."""

import json
import re
import sys

import pytest
import requests

from tests.servers import BIN, Server, clean_environment, free_port, manage

pytestmark = pytest.mark.e2e

SYS_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def environment(tmp_path):
    return clean_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")


@pytest.fixture
def servers():
    started: list[Server] = []
    yield started
    for server in started:
        server.stop()


def gunicorn(env: dict, port: int, log_path, servers: list) -> Server:
    server = Server(
        [
            str(BIN / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "csm_project.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        env,
        log_path,
    )
    servers.append(server)
    return server


def test_readme_development_server_serves_admin_and_the_api(environment, tmp_path, servers):
    env = {**environment, "DEBUG": "true", "LOG_FORMAT": "text"}
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--password", "demo")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Server(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], env, tmp_path / "runserver.log"
    )
    servers.append(server)
    server.wait_until_answering(base + "/admin/login/")

    login = requests.get(base + "/admin/login/", timeout=30)
    assert login.status_code == 200 and 'name="username"' in login.text

    anonymous = requests.get(base + "/api/now/contact", timeout=30)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Basic realm=")
    assert anonymous.json() == {
        "error": {"message": "User Not Authenticated", "detail": "Required to provide Auth information"},
        "status": "failure",
    }

    listed = requests.get(base + "/api/now/contact", auth=("csm.integration", "demo"), timeout=30)
    assert listed.status_code == 200
    assert len(listed.json()["result"]) == 10 and listed.json()["hasMore"] is True
    assert int(listed.headers["X-Total-Count"]) > 10


def test_production_server_runs_under_gunicorn_without_debug(environment, tmp_path, servers):
    env = {
        **environment,
        "SECRET_KEY": "a-production-like-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--password", "demo")
    manage(env, "collectstatic", "--noinput", "-v0")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = gunicorn(env, port, tmp_path / "gunicorn.log", servers)
    server.wait_until_answering(base + "/healthz")

    login = requests.get(base + "/admin/login/", timeout=30)
    assert login.status_code == 200
    assert login.headers["X-Frame-Options"] == "DENY"
    # Collected static files: hashed names, a year's cache, gzip to clients that take it.
    hashed = re.search(r"/static/admin/css/base\.[0-9a-f]{12}\.css", login.text)
    assert hashed, "the page links to the collected, hashed stylesheet"
    css = requests.get(base + hashed.group(0), headers={"Accept-Encoding": "gzip"}, timeout=30)
    assert css.status_code == 200
    assert css.headers["Content-Type"].startswith("text/css")
    assert css.headers["X-Content-Type-Options"] == "nosniff"
    assert css.headers["Content-Encoding"] == "gzip" and "body" in css.text
    cache = css.headers["Cache-Control"]
    assert "immutable" in cache and int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600

    lead = requests.get(
        base + "/api/sn_lead_mgmt_core/lead?sysparm_limit=1", auth=("lead.integrator", "demo"), timeout=30
    )
    assert lead.status_code == 206 and len(lead.json()) == 1
    assert lead.headers["X-Content-Type-Options"] == "nosniff"
    missing = requests.get(base + "/api/now/nothing", auth=("lead.integrator", "demo"), timeout=30)
    assert missing.status_code == 404 and missing.json()["status"] == "failure"
    assert "Traceback" not in missing.text

    health = requests.get(base + "/healthz", timeout=30)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = requests.get(base + "/readyz", timeout=30)
    assert ready.status_code == 200 and ready.json()["status"] == "ok"

    # Request lines: an IN list of 440 sys_ids (about 15 KiB) is served; over 16 KiB is a 414 envelope.
    in_list = ",".join([SYS_ID] * 440)
    long_ok = requests.get(
        base + "/api/now/contact",
        params={"sysparm_query": f"sys_idIN{in_list}"},
        auth=("csm.integration", "demo"),
        timeout=30,
    )
    assert 15 * 1024 < len(long_ok.request.path_url) < 16 * 1024 - 20
    assert long_ok.status_code == 200 and long_ok.json()["result"] == []
    too_long = requests.get(
        base + "/api/now/contact",
        params={"sysparm_query": "x" * (16 * 1024)},
        auth=("csm.integration", "demo"),
        timeout=30,
    )
    assert too_long.status_code == 414
    assert too_long.json()["status"] == "failure" and too_long.json()["error"]["message"] == "Request-URI Too Long"

    traced = requests.get(
        base + "/api/now/contact?sysparm_limit=1",
        auth=("csm.integration", "demo"),
        headers={"X-Request-ID": "trace-me-42"},
        timeout=30,
    )
    assert traced.headers["X-Request-ID"] == "trace-me-42"
    generated = requests.get(base + "/healthz", timeout=30).headers["X-Request-ID"]
    assert len(generated) == 32

    server.stop()
    servers.remove(server)
    # Every line the server wrote is JSON: gunicorn's own (start, workers, access) and the app's.
    entries = [json.loads(line) for line in server.output().splitlines() if line.strip()]
    assert {"gunicorn.error", "gunicorn.access"} <= {entry["logger"] for entry in entries}
    assert all({"timestamp", "level", "logger", "message", "request_id"} <= set(entry) for entry in entries)
    traced_lines = [
        entry for entry in entries if entry["logger"] == "gunicorn.access" and entry["request_id"] == "trace-me-42"
    ]
    assert traced_lines and traced_lines[0]["status"] == 200 and traced_lines[0]["path"] == "/api/now/contact"
    assert traced_lines[0]["method"] == "GET" and traced_lines[0]["duration_ms"] > 0


def test_an_unreachable_database_is_a_503_envelope_not_a_hang_or_a_stack(tmp_path, servers):
    closed_port = free_port()  # nothing listens there
    env = clean_environment(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port}/nowhere",
        SECRET_KEY="a-production-like-secret",
        ALLOWED_HOSTS="127.0.0.1",
        DB_POOL_TIMEOUT="2",
        DB_CONNECT_TIMEOUT="2",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = gunicorn(env, port, tmp_path / "gunicorn.log", servers)
    server.wait_until_answering(base + "/healthz")

    ready = requests.get(base + "/readyz", timeout=60)
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "database": "unreachable"}
    assert str(closed_port) not in ready.text

    for path, envelope_key in (("/api/now/contact", "error"), ("/api/v2/contacts", "statusCode")):
        answer = requests.get(base + path, auth=("csm.integration", "demo"), timeout=60)
        assert answer.status_code == 503
        assert envelope_key in answer.json()
        assert "Traceback" not in answer.text and "postgres" not in answer.text
    assert requests.get(base + "/healthz", timeout=60).status_code == 200


def test_metrics_sum_every_worker_and_need_the_token(environment, tmp_path, servers):
    """gunicorn's workers each count their own requests; /metrics shows the sum, counts of
    workers that have exited included. Each worker here is recycled after 5 requests, so the 12
    API calls are served by at least three processes, whichever worker answers the scrape."""
    from prometheus_client.parser import text_string_to_metric_families

    token = "metrics-token-for-the-test-0123"
    env = {
        **environment,
        "SECRET_KEY": "a-production-like-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "METRICS_ENABLED": "true",
        "METRICS_TOKEN": token,
        "GUNICORN_MAX_REQUESTS": "5",
    }
    manage(env, "migrate", "-v0")
    manage(env, "seed_demo", "--password", "demo")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = gunicorn(env, port, tmp_path / "gunicorn.log", servers)
    server.wait_until_answering(base + "/healthz")

    for _ in range(12):
        answer = requests.get(
            base + "/api/now/contact?sysparm_limit=1",
            auth=("csm.integration", "demo"),
            headers={"Connection": "close"},
            timeout=60,
        )
        assert answer.status_code == 200
    assert requests.get(base + "/metrics", timeout=60).status_code == 401
    assert requests.get(base + "/metrics", headers={"Authorization": "Bearer wrong"}, timeout=60).status_code == 401

    scraped = requests.get(base + "/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert scraped.status_code == 200 and scraped.headers["Content-Type"].startswith("text/plain")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(scraped.text)
        for sample in family.samples
    }

    def value(name: str, **labels) -> float:
        return samples.get((name, tuple(sorted(labels.items()))), 0)

    by_route = value(
        "django_http_responses_total_by_status_view_method_total", method="GET", status="200", view="contact-list"
    )
    assert by_route == 12
    assert value("django_http_requests_latency_seconds_by_view_method_count", method="GET", view="contact-list") == 12
    assert value("django_db_query_duration_seconds_count", alias="default", vendor="sqlite") > 12
    assert value("django_db_query_duration_seconds_sum", alias="default", vendor="sqlite") > 0
    assert token not in scraped.text and "demo" not in scraped.text and "SECRET" not in scraped.text.upper()

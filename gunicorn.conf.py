"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py csm_project.wsgi``.

Each value may be overridden on the command line. Environment variables:
- GUNICORN_BIND: address to listen on (default 0.0.0.0:8000).
- WEB_CONCURRENCY: worker processes (default 2 x CPUs + 1).
- GUNICORN_TIMEOUT: seconds a worker may spend on one request before it is replaced (default 60).
- GUNICORN_GRACEFUL_TIMEOUT: seconds workers get to finish requests on a restart (default 30).
- GUNICORN_MAX_REQUESTS: requests after which a worker is recycled (default 2000, 0 = never).
- FORWARDED_ALLOW_IPS: proxies whose X-Forwarded-* headers are trusted (default 127.0.0.1).

Graceful restart (new code or settings, no dropped requests): ``kill -HUP <master pid>``; new
workers start, old ones finish what they are serving within the graceful timeout.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn cannot accept a request line over 8190 bytes except with no limit at all (0). The
# product serves request lines up to 16 KiB (an IN list of a few hundred sys_ids), so the limit
# is lifted here and enforced by the application (MAX_REQUEST_LINE), which answers a longer
# line with 414 in the API's envelope instead of gunicorn's HTML page.
limit_request_line = 0
limit_request_fields = 100
limit_request_field_size = 16 * 1024

# Access log: one JSON object a line on stdout, with the request id the app echoes.
accesslog = "-"
errorlog = "-"
access_log_format = (
    '{"timestamp": "%(t)s", "level": "INFO", "logger": "gunicorn.access", "remote": "%(h)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": "%(s)s", "bytes": "%(B)s", "duration_us": "%(D)s", '
    '"request_id": "%({x-request-id}o)s"}'
)

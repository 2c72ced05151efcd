"""gunicorn settings for production: ``gunicorn -c gunicorn.conf.py csm_project.wsgi``.

Each value may be overridden on the command line. Environment variables:
- GUNICORN_BIND: address to listen on (default 0.0.0.0:8000).
- WEB_CONCURRENCY: worker processes (default 2 x CPUs + 1).
- GUNICORN_TIMEOUT: seconds a worker may spend on one request before it is replaced (default 60).
- GUNICORN_GRACEFUL_TIMEOUT: seconds workers get to finish requests on a restart (default 30).
- GUNICORN_MAX_REQUESTS: requests after which a worker is recycled (default 2000, 0 = never).
- FORWARDED_ALLOW_IPS: proxies whose X-Forwarded-* headers are trusted (default 127.0.0.1).
- LOG_FORMAT: json (default) writes gunicorn's error and access lines as the application's JSON
  lines (csm_project/ops/gunicorn_logging.py); text keeps gunicorn's own lines.
- METRICS_ENABLED: the workers share their Prometheus values through PROMETHEUS_MULTIPROC_DIR
  (default: a new folder under the system's temporary folder, emptied at start).

Graceful restart (new code or settings, no dropped requests): ``kill -HUP <master pid>``; new
workers start, old ones finish what they are serving within the graceful timeout.
"""

import multiprocessing
import os
import shutil
import tempfile


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

# Logs on stdout (access) and stderr (errors), as JSON lines like the application's unless
# LOG_FORMAT=text; each access line has the request id the application answered with.
accesslog = "-"
errorlog = "-"
if os.environ.get("LOG_FORMAT", "json").strip().lower() != "text":
    logger_class = "csm_project.ops.gunicorn_logging.JsonLogger"

# Prometheus multiprocess mode: every worker writes its values to files in one folder, the
# /metrics view sums them. The folder is set before the workers start (they inherit it) and
# emptied at each start, so counts from an earlier run are never added in.
_METRICS = os.environ.get("METRICS_ENABLED", "").strip().lower() in ("1", "true", "yes", "on")
_OWN_METRICS_DIR = _METRICS and not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="csm-metrics-")


def on_starting(server) -> None:
    if _METRICS:
        folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def on_exit(server) -> None:
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def child_exit(server, worker) -> None:
    if _METRICS:
        from prometheus_client import multiprocess

        # A worker that has gone no longer counts in the live gauges (the pool's use).
        multiprocess.mark_process_dead(worker.pid)

"""gunicorn's own log lines (its error log and access log) in the JSON of the application's logs
(``csm_project.ops.logs``), so one log pipeline reads every line a server writes.

``gunicorn.conf.py`` names ``JsonLogger`` as gunicorn's logger class unless ``LOG_FORMAT=text``.
Each access line is one object: ``timestamp``, ``level``, ``logger`` (``gunicorn.access``),
``message`` (method, path, status), and ``remote``, ``method``, ``path``, ``query``, ``status``
(a number), ``bytes``, ``duration_ms``, ``user_agent`` and ``request_id`` (the ``X-Request-ID``
the application answered with, so an access line joins the application's lines of the same
request). The error log's lines (start, stop, worker timeouts) carry the same first five keys.
An access-log format given to gunicorn (``--access-logformat``) is honoured: the access lines are
then gunicorn's own, in that format.

Pitfall: gunicorn runs this in its master process, before any Django setting is read: only the
standard library and ``csm_project.ops.logs`` may be imported here.
"""

from gunicorn.config import AccessLogFormat
from gunicorn.glogging import Logger

from csm_project.ops.logs import JsonFormatter


class JsonLogger(Logger):
    """gunicorn's logger, writing JSON lines."""

    def _own_access_format(self) -> bool:
        return self.cfg.access_log_format != AccessLogFormat.default

    def setup(self, cfg) -> None:
        super().setup(cfg)
        formatter = JsonFormatter()
        logs = (self.error_log,) if self._own_access_format() else (self.error_log, self.access_log)
        for log in logs:
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        if self._own_access_format():
            super().access(resp, req, environ, request_time)
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = dict((name.lower(), value) for name, value in resp.headers)
        method, path = environ.get("REQUEST_METHOD", "-"), environ.get("PATH_INFO", "-")
        self.access_log.info(
            "%s %s %s",
            method,
            path,
            status,
            extra={
                "remote": environ.get("REMOTE_ADDR", "-"),
                "method": method,
                "path": path,
                "query": environ.get("QUERY_STRING", ""),
                "status": int(status) if str(status).isdigit() else status,
                "bytes": getattr(resp, "sent", None),
                "duration_ms": round(request_time.total_seconds() * 1000, 3),
                "user_agent": environ.get("HTTP_USER_AGENT", ""),
                "request_id": headers.get("x-request-id", "-"),
            },
        )

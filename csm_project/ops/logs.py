"""Structured logs: one JSON object a line, each with the request id of the request it belongs to."""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

# The id of the request being handled ("-" outside requests: commands, start-up).
current_request_id: ContextVar[str] = ContextVar("csm_request_id", default="-")

# Record attributes that are not extras; ``request`` (django.request's) is summed up by the message.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "request", "server_time"}


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # django.request logs a response after the middleware has finished with it; such
            # records carry the request itself.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """``{"timestamp", "level", "logger", "message", "request_id", ...}``: extra attributes
    given to the log call are kept (if JSON can hold them), a stack trace goes in ``exc_info``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id.get()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)

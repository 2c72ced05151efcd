"""``POST /api/now[/v1]/batch``: several REST calls in one request.

Body ``{"batch_request_id", "rest_requests": [{"id", "method", "url", "headers": [{"name",
"value"}], "body": <base64>, "exclude_response_headers"}]}``; answer 200 ``{"batch_request_id",
"serviced_requests": [{"id", "status_code", "status_text", "headers", "body": <base64>,
"execution_time"}], "unserviced_requests": [<id>, ...]}``.

Items run in order, each as the caller's own direct request would (``dispatch.run_item``). A
malformed item gets its own 400 answer; the others still run. Items past the limits (the
settings ``BATCH_API_MAX_ITEMS``, ``BATCH_API_MAX_ITEM_BYTES`` and ``BATCH_API_MAX_SECONDS``) are
not run and are listed in ``unserviced_requests``, so the client may send them again.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from csm_project.api.errors import BadRequestBody
from csm_project.api.parsers import PlatformJSONParser
from csm_project.api.permissions import IsAuthenticatedUser
from csm_project.api.renderers import PlatformJSONRenderer
from csm_project.api.views import NowAPIView
from csm_project.batch_api.dispatch import MalformedItem, error_answer, item_id, read_item, run_item
from csm_project.batch_api.openapi import BatchRequestSerializer, BatchResponseSerializer

# The clock the time limit is read from (a test replaces it).
clock = time.monotonic


class BatchJSONParser(PlatformJSONParser):
    """JSON up to ``BATCH_API_MAX_BYTES``: a batch carries many items' bodies at once."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.BATCH_API_MAX_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise BadRequestBody(f"Request body is larger than {limit} bytes")
        try:
            return json.loads(body.decode("utf-8")) if body.strip() else {}
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise BadRequestBody(f"Invalid JSON: {exc}") from None


class BatchView(NowAPIView):
    openapi_tag = "Batch API"
    permission_classes = [IsAuthenticatedUser]  # each item checks its own rights
    parser_classes = [BatchJSONParser]
    renderer_classes = [PlatformJSONRenderer]

    @extend_schema(request=BatchRequestSerializer, responses=BatchResponseSerializer)
    def post(self, request, *args, **kwargs) -> Response:
        data = request.data
        if not isinstance(data, dict) or not isinstance(data.get("rest_requests"), list):
            raise BadRequestBody("The body must be an object with a rest_requests list")
        batch_id = data.get("batch_request_id")
        items = data["rest_requests"]
        max_items = settings.BATCH_API_MAX_ITEMS
        max_bytes = settings.BATCH_API_MAX_ITEM_BYTES
        deadline = clock() + settings.BATCH_API_MAX_SECONDS

        serviced, unserviced = [], []
        for position, raw in enumerate(items):
            ident = item_id(raw)
            if position >= max_items or clock() > deadline or _encoded_size(raw) > max_bytes:
                unserviced.append(ident)
                continue
            try:
                item = read_item(raw)
            except MalformedItem as exc:
                answer = error_answer(ident, 400, "Bad Request", "Exception while reading request", str(exc))
                serviced.append(answer.as_json(with_headers=True))
                continue
            answer = run_item(request, item, batch_path=request.path_info)
            serviced.append(answer.as_json(with_headers=not item.exclude_response_headers))
        return Response(
            {
                "batch_request_id": "" if batch_id is None else str(batch_id),
                "serviced_requests": serviced,
                "unserviced_requests": unserviced,
            }
        )


def _encoded_size(raw: object) -> int:
    """The decoded size of an item's body, from its base64 length (before decoding it)."""
    body = raw.get("body") if isinstance(raw, dict) else None
    return len(body) * 3 // 4 if isinstance(body, str) else 0

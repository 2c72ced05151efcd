"""``POST /api/now[/v1]/batch``: several REST calls in one request.

Body ``{"batch_request_id", "rest_requests": [{"id", "method", "url", "headers": [{"name",
"value"}], "body": <base64>, "exclude_response_headers"}]}``; answer 200 ``{"batch_request_id",
"serviced_requests": [{"id", "status_code", "status_text", "headers", "body": <base64>,
"execution_time"}], "unserviced_requests": [<id>, ...]}``.

Items run in order, each as the caller's own direct request would (``dispatch.run_item``). A
malformed item gets its own 400 answer; the others still run. Items past the limits are not
run, or their answer is not kept, and are listed in ``unserviced_requests``, so the client may
send them again (docs/aggregate-batch-attachment-api.md):

- ``BATCH_API_MAX_ITEMS``, ``BATCH_API_MAX_ITEM_BYTES`` (an item's decoded body),
  ``BATCH_API_MAX_SECONDS``: the item is not run.
- ``BATCH_API_MAX_ANSWER_BYTES``: once the answers kept add up to it, later items are not run.
- ``BATCH_API_MAX_ITEM_ANSWER_BYTES`` (lowered per request by ``X-BATCHREQUEST-MAX-OUTPUT-SIZE``):
  a read (GET, HEAD) whose answer is longer than this, or than what is left of the total, is
  stopped there, so a file download never fills the worker's memory. A write's answer (one
  record) is always kept whole: undoing a write for the size of its answer would surprise.

The answer is sent as it was built, piece by piece (each item's base64 body once, never copied
into one large string).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

from django.conf import settings
from django.http import StreamingHttpResponse
from drf_spectacular.utils import extend_schema

from csm_project.api.errors import BadRequestBody
from csm_project.api.parsers import JSONRejected, PlatformJSONParser, load_json
from csm_project.api.permissions import IsAuthenticatedUser
from csm_project.api.renderers import PlatformJSONRenderer
from csm_project.api.views import NowAPIView
from csm_project.batch_api.dispatch import (
    AnswerTooLarge,
    ItemAnswer,
    MalformedItem,
    error_answer,
    item_id,
    read_item,
    run_item,
)
from csm_project.batch_api.openapi import BatchRequestSerializer, BatchResponseSerializer

# The clock the time limit is read from (a test replaces it).
clock = time.monotonic

OUTPUT_SIZE_HEADER = "X-BATCHREQUEST-MAX-OUTPUT-SIZE"


class BatchJSONParser(PlatformJSONParser):
    """JSON up to ``BATCH_API_MAX_BYTES``, read by the platform's one JSON reader (a batch carries
    many items' bodies at once; its strings are checked like any other body's)."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.BATCH_API_MAX_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise BadRequestBody(f"Request body is larger than {limit} bytes")
        if not body.strip():
            return {}
        try:
            return load_json(body)
        except JSONRejected as exc:
            raise BadRequestBody(f"Invalid JSON: {exc}") from None


class BatchView(NowAPIView):
    openapi_tag = "Batch API"
    permission_classes = [IsAuthenticatedUser]  # each item checks its own rights
    parser_classes = [BatchJSONParser]
    renderer_classes = [PlatformJSONRenderer]

    @classmethod
    def max_body_bytes(cls) -> int:
        """The largest batch body (a body sent without a length is read up to it)."""
        return settings.BATCH_API_MAX_BYTES

    @extend_schema(request=BatchRequestSerializer, responses=BatchResponseSerializer)
    def post(self, request, *args, **kwargs) -> StreamingHttpResponse:
        data = request.data
        if not isinstance(data, dict) or not isinstance(data.get("rest_requests"), list):
            raise BadRequestBody("The body must be an object with a rest_requests list")
        batch_id = data.get("batch_request_id")
        if isinstance(batch_id, (dict, list)):
            raise BadRequestBody("batch_request_id must be a string")
        items = data["rest_requests"]
        max_items = settings.BATCH_API_MAX_ITEMS
        max_bytes = settings.BATCH_API_MAX_ITEM_BYTES
        deadline = clock() + settings.BATCH_API_MAX_SECONDS
        answer_room = settings.BATCH_API_MAX_ANSWER_BYTES
        item_answer_limit = _item_answer_limit(request)

        serviced: list[list[bytes]] = []
        unserviced: list[str] = []
        for position, raw in enumerate(items):
            ident = item_id(raw)
            if position >= max_items or clock() > deadline or _decoded_size(raw) > max_bytes or answer_room <= 0:
                unserviced.append(ident)
                continue
            try:
                item = read_item(raw)
            except MalformedItem as exc:
                answer = error_answer(ident, 400, "Bad Request", "Exception while reading request", str(exc))
                serviced.append(_encoded(answer, with_headers=True))
                continue
            try:
                answer = run_item(request, item, read_limit=min(item_answer_limit, answer_room))
            except AnswerTooLarge:
                unserviced.append(ident)
                continue
            answer_room -= len(answer.body)
            serviced.append(_encoded(answer, with_headers=not item.exclude_response_headers))
            del answer  # the decoded body: only its base64 is kept
        return _streamed_answer("" if batch_id is None else str(batch_id), serviced, unserviced)


def _item_answer_limit(request) -> int:
    """The setting, or the lower limit the caller asked for with ``X-BATCHREQUEST-MAX-OUTPUT-SIZE``
    (a value that is not a positive whole number of bytes is ignored)."""
    limit = settings.BATCH_API_MAX_ITEM_ANSWER_BYTES
    asked = (request.headers.get(OUTPUT_SIZE_HEADER) or "").strip()
    if asked.isdigit() and 0 < int(asked) < limit:
        return int(asked)
    return limit


def _decoded_size(raw: object) -> int:
    """The decoded size of an item's body, from its base64 length (before decoding it)."""
    body = raw.get("body") if isinstance(raw, dict) else None
    return len(body) * 3 // 4 if isinstance(body, str) else 0


def _encoded(answer: ItemAnswer, *, with_headers: bool) -> list[bytes]:
    """One serviced item as pieces of JSON bytes, its body's base64 one piece of them (never
    copied into a larger string)."""
    fields = answer.as_json(with_headers=with_headers, body="")
    head = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
    # as_json puts "body" last: the placeholder is the object's closing `"body":""}`.
    return [head[: -len(b'"}')], base64.b64encode(answer.body), b'"}']


def _streamed_answer(batch_id: str, serviced: list[list[bytes]], unserviced: list[str]) -> StreamingHttpResponse:
    head = b'{"batch_request_id":' + json.dumps(batch_id, ensure_ascii=False).encode() + b',"serviced_requests":['
    tail = b'],"unserviced_requests":' + json.dumps(unserviced, ensure_ascii=False).encode() + b"}"

    def pieces() -> Iterator[bytes]:
        yield head
        for index, item in enumerate(serviced):
            if index:
                yield b","
            yield from item
        yield tail

    length = len(head) + sum(len(piece) for item in serviced for piece in item) + max(len(serviced) - 1, 0) + len(tail)
    response = StreamingHttpResponse(pieces(), content_type="application/json")
    response["Content-Length"] = str(length)
    return response

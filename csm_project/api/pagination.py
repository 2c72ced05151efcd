"""``sysparm_limit`` / ``sysparm_offset`` paging for ``/api/now`` lists (docs/platform.md).

Every page answers ``X-Total-Count`` and, unless ``sysparm_suppress_pagination_header=true``,
a ``Link`` header with ``first``, ``prev`` (offset > 0), ``next`` (more rows) and ``last``,
each an absolute URL keeping the request's other parameters. Real clients page on either:
pysnow follows ``rel="next"``, others loop on the offset until ``X-Total-Count``.
"""

from urllib.parse import urlencode

from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from csm_project.api.errors import ApiError
from csm_project.api.links import absolute_url
from csm_project.core.sql.row_counts import exact_count

MAX_LIMIT = 10_000


# Offsets and limits are read up to this value: databases hold row offsets in 64-bit integers, and
# an offset past that (sysparm_offset=397266431014457535023284224) failed in the database as a 500.
# No table has that many rows, so a larger number means the same: past the end.
MAX_QUERY_INT = 2**31 - 1


def query_int(request, name: str, default: int) -> int:
    """A non-negative whole-number query parameter, at most ``MAX_QUERY_INT`` (larger reads as that);
    anything else is a 400 envelope."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit():
        raise ApiError(f"Invalid value for {name}", f"{name} must be a non-negative whole number, not {raw[:40]!r}")
    return min(int(raw), MAX_QUERY_INT)


def query_bool(request, name: str, default: bool = False) -> bool:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() == "true"


def page_url(request, **changes) -> str:
    params = request.query_params.copy()
    for key, value in changes.items():
        params[key] = str(value)
    return absolute_url(request, request.path) + "?" + urlencode(list(params.lists()), doseq=True)


class SysparmPagination(BasePagination):
    """Offset paging; the view may set ``default_limit`` (10 when it does not)."""

    default_limit = 10

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        default = getattr(view, "default_limit", self.default_limit)
        self.limit = min(query_int(request, "sysparm_limit", default), MAX_LIMIT)
        self.offset = query_int(request, "sysparm_offset", 0)
        self.total = exact_count(queryset)
        if self.limit == 0 or self.offset >= self.total:
            return []
        page_rows = getattr(view, "page_rows", None)  # a view that reads some pages its own way
        if page_rows is not None:
            return page_rows(queryset, offset=self.offset, limit=self.limit)
        return list(queryset[self.offset : self.offset + self.limit])

    @property
    def has_more(self) -> bool:
        return self.limit > 0 and self.offset + self.limit < self.total

    def links(self) -> str:
        request, limit, offset, total = self.request, self.limit, self.offset, self.total
        rels = [("first", 0)]
        if offset > 0 and limit > 0:
            rels.append(("prev", max(0, offset - limit)))
        if self.has_more:
            rels.append(("next", offset + limit))
        if limit > 0:
            rels.append(("last", max(0, (total - 1) // limit * limit)))
        return ",".join(
            f'<{page_url(request, sysparm_offset=value, sysparm_limit=limit)}>;rel="{rel}"' for rel, value in rels
        )

    def headers(self) -> dict[str, str]:
        headers = {"X-Total-Count": str(self.total)}
        if not query_bool(self.request, "sysparm_suppress_pagination_header"):
            headers["Link"] = self.links()
        return headers

    def get_paginated_response(self, data) -> Response:
        return Response({"result": data, "hasMore": self.has_more}, headers=self.headers())

    # What the OpenAPI document says about a page (csm_project.api.openapi).

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "properties": {"result": schema, "hasMore": {"type": "boolean"}},
            "required": ["result", "hasMore"],
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        default = getattr(view, "default_limit", self.default_limit)
        return [
            _query_parameter(
                "sysparm_limit",
                f"Rows per page (default {default}, at most {MAX_LIMIT}).",
                {"type": "integer", "minimum": 0},
            ),
            _query_parameter(
                "sysparm_offset",
                "Rows to skip (default 0).",
                {"type": "integer", "minimum": 0, "maximum": MAX_QUERY_INT},
            ),
            _query_parameter("sysparm_suppress_pagination_header", "true: no Link header.", {"type": "boolean"}),
        ]

    def get_schema_response_headers(self) -> dict[str, dict]:
        return {
            "X-Total-Count": {
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
                "required": True,
                "description": "Rows matching the query.",
            },
            "Link": {
                "schema": {"type": "string"},
                "description": 'Pages: <url>;rel="first", "prev", "next", "last", comma-joined '
                "(left out with sysparm_suppress_pagination_header=true).",
            },
        }


def _query_parameter(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}

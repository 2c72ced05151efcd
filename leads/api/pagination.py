"""Lead API paging (docs/lead-api.md), not the ``/api/now`` kind.

- ``sysparm_limit`` default 20, at most 100; over 100, 0 or less, or not a whole number: 400.
  ``sysparm_offset`` a whole number, 0 or more; anything else: 400.
- Body: a bare JSON array. Status 206 when the page holds fewer rows than match, 200 when it
  holds them all.
- Headers: ``Total-Count``; ``Content-Range: items <first>-<last>`` (1-based: offset 2, limit 3
  -> ``items 3-5``; an empty page -> ``items 0-0``); ``Links``: ``<url>;rel="first"``,
  ``previous`` (offset > 0), ``next`` (more rows), ``last`` and ``self``, comma-joined.
"""

from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from csm_project.api.errors import ApiError
from csm_project.api.filters import lists_everything
from csm_project.api.pagination import page_url
from csm_project.core.sql.row_counts import exact_count
from leads import selectors
from leads.processing import lead_api_classes


class LeadPagination(BasePagination):
    """Reads its limits and messages from the view's ``lead_constants`` (LeadApiConstants)."""

    def paginate_queryset(self, queryset, request, view=None):
        constants = view.lead_constants
        self.request = request
        self.limit = self._limit(request, constants)
        self.offset = self._offset(request, constants)
        self.total = exact_count(queryset)
        self.page = self._rows(queryset, request) if self.offset < self.total else []
        return self.page

    def _rows(self, queryset, request) -> list:
        """The page's leads. With no encoded query and no dot-walk (the list as integrations page
        through it) they are the same rows in the same order by SQL built once
        (``leads_in_list_order``); otherwise, or when a replaced processor's ``list_queryset``
        filters or joins, the queryset's."""
        if lists_everything(request, queryset):
            return selectors.leads_in_list_order(offset=self.offset, limit=self.limit)
        return list(queryset[self.offset : self.offset + self.limit])

    @staticmethod
    def _whole(raw: str | None) -> int | None:
        if raw is None or raw == "":
            return None
        text = raw.strip()
        sign = -1 if text.startswith("-") else 1
        digits = text[1:] if text[:1] in "+-" else text
        if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
            raise ValueError(raw)
        return sign * int(digits)

    def _limit(self, request, constants) -> int:
        raw = request.query_params.get("sysparm_limit")
        try:
            limit = self._whole(raw)
        except ValueError:
            limit = 0
        if limit is None:
            return constants.DEFAULT_LIMIT
        if not 1 <= limit <= constants.MAX_LIMIT:
            detail = constants.INVALID_LIMIT_DETAIL.format(max_limit=constants.MAX_LIMIT)
            raise ApiError(constants.INVALID_LIMIT, detail)
        return limit

    def _offset(self, request, constants) -> int:
        try:
            offset = self._whole(request.query_params.get("sysparm_offset"))
        except ValueError:
            offset = -1
        if offset is None:
            return 0
        if offset < 0:
            raise ApiError(constants.INVALID_OFFSET, constants.INVALID_OFFSET_DETAIL)
        return offset

    def links(self) -> str:
        limit, offset, total = self.limit, self.offset, self.total
        rels = [("first", 0)]
        if offset > 0:
            rels.append(("previous", max(0, offset - limit)))
        if offset + limit < total:
            rels.append(("next", offset + limit))
        rels.append(("last", max(0, (total - 1) // limit * limit)))
        rels.append(("self", offset))
        return ",".join(
            f'<{page_url(self.request, sysparm_offset=value, sysparm_limit=limit)}>;rel="{rel}"' for rel, value in rels
        )

    def content_range(self) -> str:
        if not self.page:
            return "items 0-0"
        return f"items {self.offset + 1}-{self.offset + len(self.page)}"

    def get_paginated_response(self, data) -> Response:
        headers = {"Total-Count": str(self.total), "Content-Range": self.content_range(), "Links": self.links()}
        status = 206 if len(self.page) < self.total else 200
        return Response(data, status=status, headers=headers)

    # What the OpenAPI document says about a page (csm_project.api.openapi), with the limits of
    # the configured constants class.

    schema_page_statuses = {"206": "A page holding fewer than all the matching leads"}

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return schema

    def get_schema_operation_parameters(self, view) -> list[dict]:
        constants = lead_api_classes()["constants"]
        return [
            {
                "name": "sysparm_limit",
                "in": "query",
                "required": False,
                "description": f"Leads per page (default {constants.DEFAULT_LIMIT}, at most {constants.MAX_LIMIT}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": constants.MAX_LIMIT},
            },
            {
                "name": "sysparm_offset",
                "in": "query",
                "required": False,
                "description": "Leads to skip (default 0).",
                "schema": {"type": "integer", "minimum": 0},
            },
        ]

    def get_schema_response_headers(self) -> dict[str, dict]:
        return {
            "Total-Count": {
                "schema": {"type": "string", "pattern": "^[0-9]+$"},
                "required": True,
                "description": "Leads matching the query.",
            },
            "Content-Range": {
                "schema": {"type": "string", "pattern": "^items [0-9]+-[0-9]+$"},
                "required": True,
                "description": "1-based positions of the page's leads: items <first>-<last>.",
            },
            "Links": {
                "schema": {"type": "string"},
                "required": True,
                "description": '<url>;rel="first", "previous", "next", "last", "self", comma-joined.',
            },
        }

"""`sysparm_query` for list endpoints: a thin DRF adapter over the encoded query engine (CONTRACT §2).

A view opts in with `filter_backends = [EncodedQueryFilter]` and may declare:

- `sys_table`: the wire table name (default: the queryset model's `sys_table`);
- `query_fields`: the top-level field names a query may use (default: every registry field);
- `default_ordering`: ORM order names used when the query has no ORDERBY (default
  `("sys_created_on",)`); a primary-key tiebreak is always appended, so offset paging is stable.

Code that lists records without a DRF view (a selector) calls `apply_encoded_query` directly.

Pitfalls:
- Invalid terms never cause an error (§2.4); the system property
  `glide.invalid_query.returns_no_rows` is read per request, and only when something is invalid,
  so valid queries cost no extra database round trip.
- Absurd inputs (longer than `MAX_QUERY_LENGTH` characters, more than `MAX_QUERY_TERMS` terms or
  more than `MAX_QUERY_OPERANDS` values in all) are a 400 with the error envelope: they would
  otherwise exceed the databases' limits (SQLite refuses expressions nested over 1000 deep, and
  one `!=` term is several nested conditions; both limit bound parameters) and fail as a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.filters import BaseFilterBackend

from csm_project.api.datetimes import user_zone
from csm_project.api.errors import ApiError
from csm_project.core.properties import INVALID_QUERY_RETURNS_NO_ROWS, property_bool
from csm_project.encoded_query.compiler import compile_query
from csm_project.encoded_query.parser import Term, parse
from csm_project.registry import TableSpec, get_table, table_for_model

__all__ = [
    "DEFAULT_ORDERING",
    "MAX_QUERY_LENGTH",
    "MAX_QUERY_OPERANDS",
    "MAX_QUERY_TERMS",
    "EncodedQueryFilter",
    "apply_encoded_query",
]

logger = logging.getLogger("csm_project.api.query")

QUERY_PARAM = "sysparm_query"
DEFAULT_ORDERING: tuple[str, ...] = ("sys_created_on",)
MAX_QUERY_LENGTH = 32_768
MAX_QUERY_TERMS = 100
MAX_QUERY_OPERANDS = 1_000


class InvalidQueryRequest(ApiError):
    """A `sysparm_query` too large to run (400); an invalid term is never this."""

    def __init__(self, detail: str):
        super().__init__("Invalid sysparm_query", detail, code=2)


def apply_encoded_query(
    queryset: QuerySet,
    text: str | None,
    *,
    user=None,
    table: TableSpec | None = None,
    default_ordering: Sequence[str] = DEFAULT_ORDERING,
    queryable: Collection[str] | None = None,
) -> QuerySet:
    """Filter and order `queryset` by the encoded query `text` as `user` asked it.

    `text` empty or `None` still applies the stable default ordering. Raises
    `InvalidQueryRequest` (400) only for oversized input.
    """
    text = text or ""
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidQueryRequest(f"sysparm_query is longer than {MAX_QUERY_LENGTH} characters")
    query = parse(text)
    terms = query.terms()
    if len(terms) + len(query.order_by) > MAX_QUERY_TERMS:
        raise InvalidQueryRequest(f"sysparm_query has more than {MAX_QUERY_TERMS} terms")
    operands = sum(len(term.operands) if isinstance(term, Term) else 1 for term in terms)
    if operands > MAX_QUERY_OPERANDS:
        raise InvalidQueryRequest(f"sysparm_query has more than {MAX_QUERY_OPERANDS} values")
    table = table or table_for_model(queryset.model)
    user_sys_id = getattr(user, "sys_id", None) if getattr(user, "is_authenticated", False) else None
    compiled = compile_query(
        table,
        query,
        now=timezone.now(),
        user_sys_id=user_sys_id,
        tz=user_zone(user),
        default_ordering=default_ordering,
        queryable=queryable,
    )
    if compiled.invalid:
        logger.info(
            "sysparm_query on %s has invalid terms: %s",
            table.name,
            "; ".join(f"{term.text[:80]!r}: {term.reason}" for term in compiled.invalid[:5]),
        )
        if property_bool(INVALID_QUERY_RETURNS_NO_ROWS, default=False):
            return queryset.none()
    return queryset.filter(compiled.q).order_by(*compiled.order_by)


class EncodedQueryFilter(BaseFilterBackend):
    """Applies `sysparm_query` (filter and ORDERBY) and the stable default order to a list."""

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        table_name = getattr(view, "sys_table", None)
        return apply_encoded_query(
            queryset,
            request.query_params.get(QUERY_PARAM),
            user=request.user,
            table=get_table(table_name) if table_name else None,
            default_ordering=getattr(view, "default_ordering", DEFAULT_ORDERING),
            queryable=getattr(view, "query_fields", None),
        )

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": QUERY_PARAM,
                "required": False,
                "in": "query",
                "description": "Encoded query: terms joined by ^ (AND), ^OR, ^NQ; ORDERBY<field>, ORDERBYDESC<field>.",
                "schema": {"type": "string"},
            }
        ]

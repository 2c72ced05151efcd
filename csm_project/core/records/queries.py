"""Encoded queries (`sysparm_query`) applied to a queryset: the domain-layer entry to the
encoded query engine, for selectors, exports and the API's filter backend alike.

Pitfalls:
- Invalid terms never cause an error; the system property
  `glide.invalid_query.returns_no_rows` is read only when something is invalid, so valid
  queries cost no extra database round trip.
- Absurd inputs (longer than `MAX_QUERY_LENGTH` characters, more than `MAX_QUERY_TERMS` terms or
  more than `MAX_QUERY_OPERANDS` values in all) raise `QueryTooLarge`: they would otherwise
  exceed the databases' limits (SQLite refuses expressions nested over 1000 deep, and one `!=`
  term is several nested conditions; both limit bound parameters) and fail as a 500.
"""

import logging
from collections.abc import Sequence

from django.db.models import QuerySet
from django.utils import timezone

from csm_project.core.access.fields import table_reader
from csm_project.core.access.rows import rows_for
from csm_project.core.errors import DomainError
from csm_project.core.properties import INVALID_QUERY_RETURNS_NO_ROWS, property_bool
from csm_project.core.records.datetimes import user_zone
from csm_project.encoded_query.compiler import compile_query
from csm_project.encoded_query.parser import Term, parse
from csm_project.registry import TableSpec, table_for_model

logger = logging.getLogger("csm_project.query")

QUERY_PARAM = "sysparm_query"
DEFAULT_ORDERING: tuple[str, ...] = ("sys_created_on",)
MAX_QUERY_LENGTH = 32_768
MAX_QUERY_TERMS = 100
MAX_QUERY_OPERANDS = 1_000


class QueryTooLarge(DomainError):
    """A `sysparm_query` too large to run; an invalid term is never this."""

    def __init__(self, detail: str):
        super().__init__(detail, field=QUERY_PARAM)


def apply_encoded_query(
    queryset: QuerySet,
    text: str | None,
    *,
    user=None,
    table: TableSpec | None = None,
    default_ordering: Sequence[str] = DEFAULT_ORDERING,
    narrowed: bool = False,
) -> QuerySet:
    """Filter and order `queryset` by the encoded query `text` as `user` asked it.

    `text` empty or `None` still applies the stable default ordering. A dot-walk into a table
    `user` may not read (its table access rule) is an invalid term; with no `user` (the system)
    every table may be entered. Raises `QueryTooLarge` only for oversized input.

    The rows are those `user` reaches (its row rules, `csm_project.core.access.rows`): a row
    outside them is in no list, count or statistic. `narrowed`: the caller's rows were chosen
    already, by a rule of their own (attachments: by the rows of the records they are on).
    """
    text = text or ""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryTooLarge(f"sysparm_query is longer than {MAX_QUERY_LENGTH} characters")
    query = parse(text)
    terms = query.all_terms()  # subqueries' terms count too
    if len(terms) + len(query.order_by) > MAX_QUERY_TERMS:
        raise QueryTooLarge(f"sysparm_query has more than {MAX_QUERY_TERMS} terms")
    operands = sum(len(term.operands) if isinstance(term, Term) else 1 for term in terms)
    if operands > MAX_QUERY_OPERANDS:
        raise QueryTooLarge(f"sysparm_query has more than {MAX_QUERY_OPERANDS} values")
    table = table or table_for_model(queryset.model)
    if not narrowed:
        queryset = rows_for(queryset, user, table=table)
    user_sys_id = getattr(user, "sys_id", None) if getattr(user, "is_authenticated", False) else None
    compiled = compile_query(
        table,
        query,
        now=timezone.now(),
        user_sys_id=user_sys_id,
        tz=user_zone(user),
        default_ordering=default_ordering,
        may_read=table_reader(user),
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

"""`sysparm_query` for list endpoints: a thin DRF adapter over the encoded query engine
(`csm_project.core.records.queries.apply_encoded_query`; see docs/encoded-queries.md).

A view opts in with `filter_backends = [EncodedQueryFilter]` and may declare:

- `sys_table`: the wire table name (default: the queryset model's `sys_table`);
- `default_ordering`: ORM order names used when the query has no ORDERBY (default
  `("sys_created_on",)`); a primary-key tiebreak is always appended, so offset paging is stable.

Code that lists records without a DRF view (a selector, an export) calls
`csm_project.core.records.queries.apply_encoded_query` directly. An oversized query is a 400 with the
envelope, message `Invalid sysparm_query`.
"""

from django.db.models import QuerySet
from rest_framework.filters import BaseFilterBackend

from csm_project.core.records.queries import DEFAULT_ORDERING, QUERY_PARAM, apply_encoded_query
from csm_project.registry import get_table


def lists_everything(request, queryset: QuerySet) -> bool:
    """Whether a list is every record in the default order: no ``sysparm_query``, and a queryset
    the view left unfiltered and unjoined. Such a page may be read by SQL built once (the Lead and
    Contact lists' prepared pages) rather than through this filter."""
    query = queryset.query
    return not request.query_params.get(QUERY_PARAM) and not query.where and not query.select_related


class EncodedQueryFilter(BaseFilterBackend):
    """Applies `sysparm_query` (filter and ORDERBY) and the stable default order to a list."""

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        table_name = getattr(view, "sys_table", None)
        # An oversized query raises QueryTooLarge: the exception handler's `Invalid sysparm_query`.
        return apply_encoded_query(
            queryset,
            request.query_params.get(QUERY_PARAM),
            user=request.user,
            table=get_table(table_name) if table_name else None,
            default_ordering=getattr(view, "default_ordering", DEFAULT_ORDERING),
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

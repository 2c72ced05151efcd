"""The encoded query engine (`sysparm_query`, docs/encoded-queries.md).

`parser` turns text into a tree and has no Django imports; `dates` recognises and resolves the
`javascript:` helpers; `compiler` turns a tree into a Django `Q` and an ordering for one table of
the registry. API code uses it through `csm_project.api.filters.EncodedQueryFilter`.
"""

from csm_project.encoded_query.parser import Clause, Group, InvalidTerm, OrderBy, Query, Term, parse

__all__ = ["Clause", "Group", "InvalidTerm", "OrderBy", "Query", "Term", "parse"]

"""Table access rules (``TableAccess``): which roles may read and which may write each table
through the generic Table API. The rules are data staff edit in the admin; this module only
reads them, once per request, in one query.
"""

from csm_project.core.models import TableAccess

ADMIN_ROLE = "admin"


def table_access_roles(*, table: str, write: bool) -> tuple[str, ...]:
    """The roles any one of which admits a read (``write=False``) or a create/update/delete of
    ``table``. ``admin`` is always among them, except for writes to a table marked not
    writable, which nobody may change. A table without a rule admits ``admin`` only."""
    column = "write_roles__name" if write else "read_roles__name"
    rows = list(TableAccess.objects.filter(table=table).values_list("writable", column))
    if write and rows and not rows[0][0]:
        return ()
    return (ADMIN_ROLE, *sorted({name for _writable, name in rows if name}))

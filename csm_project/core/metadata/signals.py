"""``pre_migrate`` / ``post_migrate`` receivers keeping the metadata tables in step."""

from django.db import connections

from csm_project.core.metadata.grants import grants_view_create, grants_view_drop


def before_migrate(sender, using: str = "default", plan=None, **kwargs) -> None:
    """The grants view goes before any migration runs, so none trips over it."""
    if plan:
        grants_view_drop(connections[using])


def after_migrate(sender, using: str = "default", **kwargs) -> None:
    """After ``migrate`` (and a flush): the grants view back, the derived tables rewritten
    where they differ from the code. Nothing happens for a schema that lacks the tables (a
    migration back to before they existed)."""
    from csm_project.core.metadata.catalogue import CATALOGUE_MODELS, catalogue_sync

    connection = connections[using]
    grants_view_create(connection)
    present = set(connection.introspection.table_names())
    if all(model._meta.db_table in present for model in CATALOGUE_MODELS):
        catalogue_sync(using)

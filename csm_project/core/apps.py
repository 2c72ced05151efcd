from django.apps import AppConfig
from django.core.signals import request_finished
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate


class CoreConfig(AppConfig):
    """The platform layer: users and roles, the record base, numbers, journal, properties."""

    name = "csm_project.core"
    label = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        from csm_project.core.records.hooks import register_rules
        from csm_project.core.records.users import UserRules
        from csm_project.core.sql import lookups  # noqa: F401 - registers field__any

        register_rules("sys_user", UserRules())

        from csm_project.core.sql import audit, row_counts

        # The audit triggers learn who is acting from each connection; after migrate they, and
        # the row counters' triggers, are brought in step with the models (changing nothing when
        # nothing changed). Each migration rebuilds those it touches (core.sql.schema_changes).
        connection_created.connect(audit.connection_prepare, dispatch_uid="csm_audit_connection")
        post_migrate.connect(audit.after_migrate, sender=self, dispatch_uid="csm_audit_post_migrate")
        post_migrate.connect(row_counts.after_migrate, sender=self, dispatch_uid="csm_rowcount_post_migrate")

        from csm_project.core.metadata import signals as metadata

        # The metadata tables (sys_db_object, sys_dictionary, ...) follow the code after every
        # migrate and flush; the grants view is set aside while migrations run.
        pre_migrate.connect(metadata.before_migrate, sender=self, dispatch_uid="csm_metadata_pre_migrate")
        post_migrate.connect(metadata.after_migrate, sender=self, dispatch_uid="csm_metadata_post_migrate")

        from csm_project.core.sql import sqlite_wal

        # SQLite's WAL is checkpointed completely now and then, after a request (docs/sqlite.md).
        request_finished.connect(sqlite_wal.after_request, dispatch_uid="csm_sqlite_checkpoint")

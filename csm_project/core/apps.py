from django.apps import AppConfig
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

        # The audit triggers learn who is acting from each connection, are dropped while
        # migrations run, and are rebuilt from the models afterwards.
        connection_created.connect(audit.connection_prepare, dispatch_uid="csm_audit_connection")
        pre_migrate.connect(audit.before_migrate, sender=self, dispatch_uid="csm_audit_pre_migrate")
        post_migrate.connect(audit.after_migrate, sender=self, dispatch_uid="csm_audit_post_migrate")
        # The row counters' triggers likewise; each counter is counted again after migrate.
        pre_migrate.connect(row_counts.before_migrate, sender=self, dispatch_uid="csm_rowcount_pre_migrate")
        post_migrate.connect(row_counts.after_migrate, sender=self, dispatch_uid="csm_rowcount_post_migrate")

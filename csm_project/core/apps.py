from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The platform layer: users and roles, the record base, numbers, journal, properties."""

    name = "csm_project.core"
    label = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        from csm_project.core.record_rules import register_rules
        from csm_project.core.users import UserRules

        register_rules("sys_user", UserRules())

from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The platform layer: users and roles, the record base, numbers, journal, properties."""

    name = "csm_project.core"
    label = "core"
    verbose_name = "Platform"

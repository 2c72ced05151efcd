from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "interactions"

    def ready(self) -> None:
        from csm_project.core.records.hooks import register_rules
        from interactions.models import Interaction
        from interactions.services import InteractionRules

        register_rules(Interaction.sys_table, InteractionRules())

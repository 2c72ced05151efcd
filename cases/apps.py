from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from cases.models import CASE_TABLE
        from cases.services import CaseRules
        from csm_project.core.records.hooks import register_rules

        register_rules(CASE_TABLE, CaseRules())

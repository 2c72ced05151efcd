from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "leads"

    def ready(self) -> None:
        from csm_project.core.records.hooks import register_rules
        from leads.models import LEAD_TABLE, LINE_ITEM_TABLE, GroupMember
        from leads.services import GroupMemberRules, LeadRules, LineItemRules

        register_rules(LEAD_TABLE, LeadRules())
        register_rules(LINE_ITEM_TABLE, LineItemRules())
        register_rules(GroupMember.sys_table, GroupMemberRules())

from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self) -> None:
        from contacts.models import Contact
        from contacts.services import ContactRules
        from csm_project.core.records.hooks import register_rules

        register_rules(Contact.sys_table, ContactRules())

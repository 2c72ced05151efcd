from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self) -> None:
        from contacts import list_keys
        from contacts.bulk import SocialProfiles
        from contacts.models import Contact
        from contacts.services import ContactRules
        from csm_project.core.bulk.imports import register_extension
        from csm_project.core.records.hooks import register_rules

        register_rules(Contact.sys_table, ContactRules())
        register_extension(Contact.sys_table, SocialProfiles)
        post_migrate.connect(list_keys.after_migrate, sender=self, dispatch_uid="contacts_list_keys_post_migrate")

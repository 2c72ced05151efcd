from contacts.models import Contact
from csm_project.core.bulk.command import ImportCommand
from csm_project.core.bulk.imports import Extension, extension_for


class Command(ImportCommand):
    help = (
        "Load CSM contacts (customer_contact, which extends sys_user) in any shape import_records reads, "
        "with the same rules and options; social_channel + social_handle + social_handle_url columns "
        "also create a social profile, as the Contact API does. Contacts get no usable password."
    )

    noun = "contacts"

    def table_name(self, options) -> str:
        return Contact.sys_table

    def extension(self) -> Extension | None:
        return extension_for(Contact.sys_table)

from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    """Files attached to any record; deleted with the record they belong to."""

    name = "csm_project.attachments"
    label = "attachments"
    verbose_name = "Attachments"

    def ready(self) -> None:
        from csm_project.attachments.admin import add_record_panels
        from csm_project.attachments.services import connect_parent_deletes

        connect_parent_deletes()
        add_record_panels()

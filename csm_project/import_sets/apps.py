from django.apps import AppConfig


class ImportSetsConfig(AppConfig):
    """Staging tables, transform maps and import sets: the Import Set API's data
    (docs/import-set-api.md)."""

    name = "csm_project.import_sets"
    label = "import_sets"
    verbose_name = "Import sets"

"""Staff rights on the import set models: staging tables and transform maps are how the platform
is set up (administrators); import sets and their rows are history (read by every staff role)."""

from django.db import migrations

from csm_project.core.access.staff_roles import PLATFORM, TRAIL, staff_rights_grant


def grant(apps, schema_editor):
    staff_rights_grant(
        apps,
        {
            "import_sets.stagingtable": PLATFORM,
            "import_sets.transformmap": PLATFORM,
            "import_sets.fieldmap": PLATFORM,
            "import_sets.importset": TRAIL,
            "import_sets.importsetrow": TRAIL,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("import_sets", "0002_import_transformer_role"), ("core", "0012_staff_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

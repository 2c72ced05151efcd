"""Demo staging table (docs/demo-data.md): ``u_imp_customer``, whose two transform maps load an
account (coalesced on its name) and a contact of it (coalesced on the e-mail address), with the
table access rule that lets ``import_transformer`` post to it."""

from django.db import transaction

from csm_project.core.access.role_names import IMPORT_TRANSFORMER
from csm_project.core.models import Role, TableAccess
from csm_project.import_sets.models import FieldMap, StagingTable, TransformMap

STAGING = "u_imp_customer"
MAPS = (
    # name, target table, order, ((source column, target field, coalesce), ...)
    ("Customer account", "customer_account", 100, (("u_company", "name", True), ("u_company_phone", "phone", False))),
    (
        "Customer contact",
        "customer_contact",
        200,
        (
            ("u_email", "email", True),
            ("u_first_name", "first_name", False),
            ("u_last_name", "last_name", False),
            ("u_phone", "phone", False),
            ("u_company", "account", False),
        ),
    ),
)


@transaction.atomic
def load(*, stdout) -> None:
    staging, created = StagingTable.objects.get_or_create(
        name=STAGING, defaults={"label": "Customer import", "description": "Accounts and their contacts, one a row."}
    )
    for name, target, order, entries in MAPS:
        transform, _ = TransformMap.objects.get_or_create(
            staging_table=staging, name=name, defaults={"target_table": target, "order": order}
        )
        for source, field, coalesce in entries:
            FieldMap.objects.get_or_create(
                transform_map=transform, target_field=field, defaults={"source_field": source, "coalesce": coalesce}
            )
    rule, _ = TableAccess.objects.get_or_create(table=STAGING)
    role = Role.objects.get(name=IMPORT_TRANSFORMER)
    rule.read_roles.add(role)
    rule.write_roles.add(role)
    stdout.write(f"import sets: staging table {STAGING} {'created' if created else 'already there'}")

"""The Import Set API's data: staging tables and their transform maps (set up by staff in the
admin), and the import sets and staging rows each request leaves behind with their results.

A staging table is a named inbox (``u_imp_customer``): a client posts name-value pairs to it;
each row is kept as sent (``ImportSetRow.values``) and transformed at once by every active
transform map of the table, in order. A map names a target table of the registry and, per
field, the source column it reads; the one field marked ``coalesce`` identifies the target
record to update, otherwise a new record is inserted.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from csm_project.core.models import new_sys_id

STAGING_NAME = RegexValidator(r"^[a-z][a-z0-9_]{0,79}\Z", "Lowercase letters, digits and underscores, e.g. u_imp_user.")


class StagingTable(models.Model):
    name = models.CharField(
        max_length=80, unique=True, validators=[STAGING_NAME], help_text="Name in the URL: /api/now/import/<name>."
    )
    label = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        db_table = "import_staging_table"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from csm_project.registry import all_tables

        if self.name in all_tables():
            raise ValidationError({"name": "A staging table cannot have the name of a record table."})


class TransformMap(models.Model):
    name = models.CharField(max_length=100, help_text="Answered as transform_map in each row's result.")
    staging_table = models.ForeignKey(StagingTable, on_delete=models.CASCADE, related_name="transform_maps")
    target_table = models.CharField(max_length=80, help_text="Wire name of a registry table, e.g. customer_contact.")
    order = models.PositiveIntegerField(default=100, help_text="Maps of a staging table run in this order.")
    active = models.BooleanField(default=True)

    class Meta:
        db_table = "import_transform_map"
        ordering = ["staging_table", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["staging_table", "name"], name="import_transform_map_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from csm_project.registry import UnknownTable, get_table

        try:
            get_table(self.target_table)
        except UnknownTable as exc:
            raise ValidationError({"target_table": exc.message}) from None


class FieldMap(models.Model):
    transform_map = models.ForeignKey(TransformMap, on_delete=models.CASCADE, related_name="field_maps")
    source_field = models.CharField(max_length=100, help_text="Column of the staging row (the posted name).")
    target_field = models.CharField(max_length=100, help_text="Field of the target table.")
    coalesce = models.BooleanField(
        default=False, help_text="Match existing target records on this field (one coalesce field per map)."
    )

    class Meta:
        db_table = "import_field_map"
        ordering = ["transform_map", "id"]
        constraints = [
            models.UniqueConstraint(fields=["transform_map", "target_field"], name="import_field_map_target")
        ]

    def __str__(self) -> str:
        return f"{self.source_field} -> {self.target_field}"

    def clean(self) -> None:
        from csm_project.registry import UnknownTable, get_table

        try:
            table = get_table(self.transform_map.target_table)
        except (UnknownTable, TransformMap.DoesNotExist):
            return
        if self.target_field not in table.fields:
            raise ValidationError({"target_field": f"{table.name} has no field {self.target_field!r}"})
        others = FieldMap.objects.filter(transform_map=self.transform_map, coalesce=True).exclude(pk=self.pk)
        if self.coalesce and others.exists():
            raise ValidationError({"coalesce": "A transform map has one coalesce field."})


class ImportSet(models.Model):
    """One request's rows (``ISET`` number from the id)."""

    sys_id = models.CharField(max_length=32, unique=True, default=new_sys_id, editable=False)
    staging_table = models.ForeignKey(StagingTable, on_delete=models.CASCADE, related_name="import_sets")
    multiple = models.BooleanField(default=False, help_text="Made by insertMultiple.")
    multi_import_set_id = models.CharField(max_length=32, default=new_sys_id, editable=False)
    row_count = models.PositiveIntegerField(default=0)
    created_by = models.CharField(max_length=150)
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "import_set"
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"ISET{self.pk:07d}" if self.pk else "ISET"


class ImportSetRow(models.Model):
    """One staging row: the values as posted and, per transform map, what became of them."""

    sys_id = models.CharField(max_length=32, unique=True, default=new_sys_id, editable=False)
    import_set = models.ForeignKey(ImportSet, on_delete=models.CASCADE, related_name="rows")
    staging_table = models.ForeignKey(StagingTable, on_delete=models.CASCADE, related_name="+")
    index = models.PositiveIntegerField(default=0, help_text="Position in the request (0 for a single row).")
    values = models.JSONField(default=dict)
    results = models.JSONField(default=list, help_text="One entry per transform map: status, table, sys_id, messages.")

    class Meta:
        db_table = "import_set_row"
        ordering = ["import_set", "index"]
        indexes = [models.Index(fields=["staging_table", "sys_id"], name="import_set_row_lookup")]

    def __str__(self) -> str:
        return self.sys_id

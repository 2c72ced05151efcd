"""Staff set up staging tables and their transform maps here (data, like table access rules),
and read what each import set did, row by row. Import sets are written by the API only."""

from django.contrib import admin

from csm_project.import_sets.models import FieldMap, ImportSet, ImportSetRow, StagingTable, TransformMap


class TransformMapInline(admin.TabularInline):
    model = TransformMap
    extra = 0
    fields = ("name", "target_table", "order", "active")
    show_change_link = True


@admin.register(StagingTable)
class StagingTableAdmin(admin.ModelAdmin):
    list_display = ("name", "label")
    search_fields = ("name", "label")
    inlines = [TransformMapInline]


class FieldMapInline(admin.TabularInline):
    model = FieldMap
    extra = 1
    fields = ("source_field", "target_field", "coalesce")


@admin.register(TransformMap)
class TransformMapAdmin(admin.ModelAdmin):
    list_display = ("name", "staging_table", "target_table", "order", "active")
    list_filter = ("active", "target_table")
    search_fields = ("name", "staging_table__name", "target_table")
    inlines = [FieldMapInline]


class ImportSetRowInline(admin.TabularInline):
    model = ImportSetRow
    extra = 0
    fields = ("sys_id", "index", "values", "results")
    readonly_fields = fields
    can_delete = False
    max_num = 0


@admin.register(ImportSet)
class ImportSetAdmin(admin.ModelAdmin):
    list_display = ("number", "staging_table", "multiple", "row_count", "created_by", "created_on")
    list_filter = ("staging_table", "multiple")
    readonly_fields = ("sys_id", "staging_table", "multiple", "multi_import_set_id", "row_count", "created_by",
                       "created_on")  # fmt: skip
    inlines = [ImportSetRowInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

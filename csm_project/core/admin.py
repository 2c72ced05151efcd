"""Staff admin for the platform layer, and the base admin every app's records use."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from csm_project.core.models import (
    SYSTEM_FIELDS,
    Choice,
    JournalEntry,
    NumberCounter,
    Role,
    SystemProperty,
    User,
)

SYSTEM_FIELDSET = ("System", {"classes": ("collapse",), "fields": SYSTEM_FIELDS})


class SysRecordAdmin(admin.ModelAdmin):
    """System fields are shown, never edited; the journal of the record is linked."""

    readonly_fields = SYSTEM_FIELDS
    show_full_result_count = False  # counting a large table on every list page is slow


@admin.register(Role)
class RoleAdmin(SysRecordAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)


class PlatformUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("user_name",)


class PlatformUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PlatformUserChangeForm
    add_form = PlatformUserCreationForm
    list_display = ("user_name", "name", "email", "active", "is_staff", "is_superuser")
    list_filter = ("active", "is_staff", "is_superuser", "roles")
    search_fields = ("user_name", "name", "first_name", "last_name", "email")
    ordering = ("user_name",)
    filter_horizontal = ("roles",)
    readonly_fields = (*SYSTEM_FIELDS, "last_login")
    fieldsets = (
        (None, {"fields": ("user_name", "password")}),
        ("Person", {"fields": ("first_name", "middle_name", "last_name", "name", "email", "title",
                               "phone", "mobile_phone", "employee_number", "time_zone")}),
        ("Access", {"fields": ("active", "is_staff", "is_superuser", "roles", "last_login")}),
        SYSTEM_FIELDSET,
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("user_name", "password1", "password2")}),)

    def get_queryset(self, request):
        # Contacts extend sys_user; they are managed in their own admin.
        return super().get_queryset(request).filter(sys_class_name="sys_user")


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    list_display = ("prefix", "table", "next_value", "digits", "__str__")


@admin.register(SystemProperty)
class SystemPropertyAdmin(SysRecordAdmin):
    list_display = ("name", "value", "type", "sys_updated_on", "sys_updated_by")
    search_fields = ("name", "description")


@admin.register(Choice)
class ChoiceAdmin(SysRecordAdmin):
    list_display = ("table", "element", "value", "label", "sequence", "inactive")
    list_filter = ("table", "element", "inactive")
    search_fields = ("value", "label")


@admin.register(JournalEntry)
class JournalEntryAdmin(SysRecordAdmin):
    """The audit trail of work notes: readable, never edited."""

    list_display = ("sys_created_on", "name", "element_id", "element", "author", "value")
    list_filter = ("name", "element")
    search_fields = ("element_id", "value")
    list_select_related = ("author",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

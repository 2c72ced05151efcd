"""Staff admin for the contacts app."""

from django.contrib import admin

from contacts.directory import custom_contact_create, custom_contact_delete, custom_contact_update
from contacts.models import Account, Consumer, Contact, CustomContact, Location, SocialChannel, SocialProfile
from csm_project.core.admin import SYSTEM_FIELDSET, SysRecordAdmin

# --- CSM records (issue 4) ----------------------------------------------------------------


@admin.register(Account)
class AccountAdmin(SysRecordAdmin):
    list_display = ("number", "name", "city", "country", "customer")
    search_fields = ("number", "name")
    readonly_fields = (*SysRecordAdmin.readonly_fields, "number")


@admin.register(Consumer)
class ConsumerAdmin(SysRecordAdmin):
    list_display = ("name", "email", "phone", "city", "active")
    search_fields = ("name", "first_name", "last_name", "email")
    list_filter = ("active",)


@admin.register(Location)
class LocationAdmin(SysRecordAdmin):
    list_display = ("name", "city", "state", "country")
    search_fields = ("name", "city")


class SocialProfileInline(admin.TabularInline):
    model = SocialProfile
    fk_name = "contact"
    fields = ("channel", "social_id", "profile_url", "account")
    raw_id_fields = ("account",)
    extra = 0


@admin.register(Contact)
class ContactAdmin(SysRecordAdmin):
    list_display = ("user_name", "name", "email", "account", "city", "active")
    list_filter = ("active", "vip", "locked_out", "country")
    search_fields = ("name", "first_name", "last_name", "email", "user_name", "account__name")
    list_select_related = ("account",)
    raw_id_fields = ("account", "company", "manager", "location")
    exclude = ("password", "roles", "groups", "user_permissions", "is_superuser", "is_staff")
    inlines = (SocialProfileInline,)


@admin.register(SocialChannel)
class SocialChannelAdmin(SysRecordAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(SocialProfile)
class SocialProfileAdmin(SysRecordAdmin):
    list_display = ("social_id", "channel", "contact", "account")
    list_filter = ("channel",)
    search_fields = ("social_id", "contact__name", "account__name")
    list_select_related = ("channel", "contact", "account")
    raw_id_fields = ("contact", "account")


# --- Contact-center directory (issue 7) below ----------------------------------------------


@admin.register(CustomContact)
class CustomContactAdmin(SysRecordAdmin):
    """Custom contacts of the contact-center directory; saved through the same services as the API."""

    list_display = ("name", "phone_number", "sys_updated_on")
    search_fields = ("name", "phone_number")
    fieldsets = ((None, {"fields": ("name", "phone_number")}), SYSTEM_FIELDSET)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            custom_contact_update(contact_id=obj.sys_id, name=obj.name, phone_number=obj.phone_number)
        else:
            obj.sys_id = custom_contact_create(name=obj.name, phone_number=obj.phone_number).sys_id

    def delete_model(self, request, obj) -> None:
        custom_contact_delete(contact_id=obj.sys_id)

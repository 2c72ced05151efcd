"""Staff admin for the contacts app: every record saved through the record services (a contact
with the same rules as ``import_contacts`` and the Table API: user name defaults and uniqueness),
social profiles as inline rows of their contact."""

from django import forms
from django.contrib import admin
from django.contrib.auth import password_validation

from contacts.models import Account, Consumer, Contact, CustomContact, Location, SocialChannel, SocialProfile
from csm_project.core.admin import SYSTEM_FIELDSET, SysRecordAdmin, SysRecordForm, SysRecordInline

# --- CSM records ---------------------------------------------------------------------------


@admin.register(Account)
class AccountAdmin(SysRecordAdmin):
    list_display = ("number", "name", "city", "country", "customer")
    search_fields = ("number", "name")
    readonly_fields = (*SysRecordAdmin.readonly_fields, "number")
    raw_id_fields = ("account_parent", "parent", "contact", "primary_contact")


@admin.register(Consumer)
class ConsumerAdmin(SysRecordAdmin):
    list_display = ("number", "name", "email", "business_phone", "city", "active")
    search_fields = ("number", "name", "first_name", "last_name", "email")
    raw_id_fields = ("user",)
    readonly_fields = (*SysRecordAdmin.readonly_fields, "number")
    list_filter = ("active",)


@admin.register(Location)
class LocationAdmin(SysRecordAdmin):
    list_display = ("name", "city", "state", "country")
    search_fields = ("name", "city")


class SocialProfileInline(SysRecordInline):
    model = SocialProfile
    fk_name = "contact"
    fields = ("channel", "social_id", "profile_url", "account")
    raw_id_fields = ("account",)
    extra = 0


CONTACT_FIELDSETS = (
    (None, {"fields": ("user_name", "first_name", "middle_name", "last_name", "name", "title", "email", "phone",
                       "mobile_phone", "home_phone", "employee_number", "gender", "active", "vip")}),
    ("Organisation", {"fields": ("account", "company", "manager", "location", "department", "cost_center",
                                 "building", "edu_status")}),
    ("Address", {"fields": ("street", "city", "state", "zip", "country", "latitude", "longitude")}),
    ("Preferences", {"classes": ("collapse",), "fields": (
        "time_zone", "date_format", "time_format", "preferred_language", "notification", "calendar_integration",
        "default_perspective", "schedule", "on_schedule", "time_sheet_policy", "introduction", "photo", "source",
        "agent_status")}),
    ("Access", {"classes": ("collapse",), "fields": (
        "locked_out", "failed_attempts", "enable_multifactor_authn", "web_service_access_only",
        "internal_integration_user", "geolocation_tracked", "ldap_server", "last_login_time", "last_login_device",
        "last_position_update")}),
)  # fmt: skip
CONTACT_FORM_FIELDS = tuple(name for _, options in CONTACT_FIELDSETS for name in options["fields"])


class ContactForm(SysRecordForm):
    new_password = forms.CharField(
        label="Give a login: new password",
        required=False,
        strip=False,
        widget=forms.PasswordInput,
        help_text="A contact created here, by the API or by an import cannot sign in until given one. "
        "Leave empty to keep the current login.",
    )
    remove_login = forms.BooleanField(
        label="Remove the login", required=False, help_text="The contact can no longer sign in nor call the API."
    )

    class Meta:
        model = Contact
        fields = (*CONTACT_FORM_FIELDS, "roles")

    def clean_new_password(self) -> str:
        password = self.cleaned_data["new_password"]
        if password:
            password_validation.validate_password(password, self.instance)
        return password


LOGIN_FIELDS = ("roles", "new_password", "remove_login")


@admin.register(Contact)
class ContactAdmin(SysRecordAdmin):
    """Contacts: found by name, email, user name or account; no usable password until given a
    login (password and API roles) here, by staff who may change users (administrators):
    a login is access to the APIs."""

    form = ContactForm
    list_display = ("user_name", "name", "email", "account", "city", "active", "vip")
    # No filter by account: it would list every account (find a contact's account with the
    # search box or the encoded query, e.g. account.nameSTARTSWITHacme).
    list_filter = ("active", "vip", "locked_out", "country")
    search_fields = ("name", "first_name", "last_name", "email", "user_name", "account__name", "account__number")
    list_select_related = ("account",)
    raw_id_fields = ("account", "company", "manager", "location")
    readonly_fields = ("last_login", *SysRecordAdmin.readonly_fields)
    filter_horizontal = ("roles",)
    fieldsets = (
        *CONTACT_FIELDSETS,
        ("Login", {"fields": (*LOGIN_FIELDS, "last_login")}),
        SYSTEM_FIELDSET,
    )
    inlines = (SocialProfileInline,)

    def _gives_logins(self, request) -> bool:
        return request.user.has_perm("core.change_user")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self._gives_logins(request):
            return fieldsets
        # Without the right to manage users, the roles are shown and nothing about the login is offered.
        hidden = {"new_password", "remove_login"}
        return [
            (name, {**options, "fields": tuple(f for f in options["fields"] if f not in hidden)})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if self._gives_logins(request) else (*fields, "roles")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not self._gives_logins(request):
            return
        password, remove_login = form.cleaned_data.get("new_password"), form.cleaned_data.get("remove_login")
        if password:
            obj.set_password(password)
        elif remove_login and change:
            obj.set_unusable_password()
        else:
            return
        obj.save(update_fields=["password"])


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


# --- Contact-center directory ---------------------------------------------------------------


@admin.register(CustomContact)
class CustomContactAdmin(SysRecordAdmin):
    """Custom contacts of the contact-center directory."""

    list_display = ("name", "phone_number", "sys_updated_on")
    search_fields = ("name", "phone_number")
    fieldsets = ((None, {"fields": ("name", "phone_number")}), SYSTEM_FIELDSET)

"""Staff admin for the contacts app."""

from django import forms
from django.contrib import admin
from django.contrib.auth import password_validation
from django.db import models
from django.utils.html import format_html_join

from contacts.directory.services import custom_contact_create, custom_contact_delete, custom_contact_update
from contacts.models import Account, Consumer, Contact, CustomContact, Location, SocialChannel, SocialProfile
from contacts.selectors import contact_work_notes
from contacts.services import contact_create
from csm_project.core.admin import SYSTEM_FIELDSET, SysRecordAdmin
from csm_project.core.admin.tools import PlatformInlineMixin
from csm_project.core.records.datetimes import format_utc
from csm_project.core.records.journal import journal_add
from csm_project.core.records.users import user_name_taken_message, user_names_taken

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


class SocialProfileInline(PlatformInlineMixin, admin.TabularInline):
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


class ContactForm(forms.ModelForm):
    work_note = forms.CharField(
        label="Add a work note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Saved to the contact's journal with your name when you save.",
    )
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

    def clean_user_name(self) -> str:
        user_name = self.cleaned_data["user_name"]
        if user_names_taken([user_name], exclude_pk=self.instance.pk):
            raise forms.ValidationError(user_name_taken_message(user_name))
        return user_name


@admin.register(Contact)
class ContactAdmin(SysRecordAdmin):
    """Contacts: found by name, email, user name or account; added through the same create service
    as the API; no usable password until staff give a login (password and roles) here; work notes
    readable and added here."""

    form = ContactForm
    list_display = ("user_name", "name", "email", "account", "city", "active", "vip")
    # No filter by account: it would list every account (find a contact's account with the
    # search box or the encoded query, e.g. account.nameSTARTSWITHacme).
    list_filter = ("active", "vip", "locked_out", "country")
    search_fields = ("name", "first_name", "last_name", "email", "user_name", "account__name", "account__number")
    list_select_related = ("account",)
    raw_id_fields = ("account", "company", "manager", "location")
    readonly_fields = ("last_login", "work_notes", *SysRecordAdmin.readonly_fields)
    filter_horizontal = ("roles",)
    journal_in_form = True
    fieldsets = (
        *CONTACT_FIELDSETS,
        ("Login", {"fields": ("roles", "new_password", "remove_login", "last_login")}),
        ("Work notes", {"fields": ("work_note", "work_notes")}),
        SYSTEM_FIELDSET,
    )
    inlines = (SocialProfileInline,)

    def save_model(self, request, obj, form, change) -> None:
        password, remove_login = form.cleaned_data.get("new_password"), form.cleaned_data.get("remove_login")
        if change:
            if password:
                obj.set_password(password)
            elif remove_login:
                obj.set_unusable_password()
            super().save_model(request, obj, form, change)
        else:
            fields = {
                name: value.pk if isinstance(value, models.Model) else value
                for name, value in form.cleaned_data.items()
                if name in CONTACT_FORM_FIELDS
            }
            created = contact_create(fields=fields)
            if password:
                created.set_password(password)
                created.save(update_fields=["password"])
            # The admin saves roles and inlines against, redirects to and logs ``obj``: make it the
            # stored record.
            obj.__dict__.update(created.__dict__)
        note = form.cleaned_data.get("work_note")
        if note and note.strip():
            journal_add(record=obj, text=note.strip())

    @admin.display(description="Work notes")
    def work_notes(self, obj: Contact) -> str:
        notes = contact_work_notes(contact=obj) if obj.pk else []
        if not notes:
            return "-"
        return format_html_join(
            "",
            "<p><strong>{} {}</strong><br>{}</p>",
            ((format_utc(note.sys_created_on), note.author or note.sys_created_by, note.value) for note in notes),
        )


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

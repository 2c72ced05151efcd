"""Filters of ``GET /api/v2/contacts`` (docs/contact-center-api.md): any attribute, ANDed.

The FilterSet is validated once against the query string and then applied to each kind's
queryset before the kinds are combined (``contacts.directory.selectors.directory_list(refine=...)``),
because a SQL union can no longer be filtered.

Matching: ``type`` ignores case (``type=custom``) and must name a kind; every other
attribute is an exact, case-sensitive match on the stored value. An empty value
(``?name=``) filters nothing. Query parameters that name no attribute are ignored.
"""

import django_filters
from django import forms

from contacts.directory.selectors import COLUMNS, TYPES


class ContactTypeField(forms.CharField):
    """A kind of contact, in any case; cleans to its canonical spelling (``User``)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        for kind in TYPES:
            if value.casefold() == kind.casefold():
                return kind
        raise forms.ValidationError(f"Invalid parameter: type must be one of {', '.join(TYPES)}", code="invalid")


class ContactTypeFilter(django_filters.CharFilter):
    field_class = ContactTypeField


class DirectoryFilterSet(django_filters.FilterSet):
    id = django_filters.CharFilter(field_name=COLUMNS["id"])
    name = django_filters.CharFilter(field_name=COLUMNS["name"])
    type = ContactTypeFilter(field_name=COLUMNS["type"])
    phoneNumber = django_filters.CharFilter(field_name=COLUMNS["phoneNumber"])
    userName = django_filters.CharFilter(field_name=COLUMNS["userName"])
    firstName = django_filters.CharFilter(field_name=COLUMNS["firstName"])
    lastName = django_filters.CharFilter(field_name=COLUMNS["lastName"])
    employeeId = django_filters.CharFilter(field_name=COLUMNS["employeeId"])

    def first_error(self) -> str:
        """The message of the first invalid filter (call after ``is_valid()`` is False)."""
        for name, messages in self.form.errors.items():
            return f"{messages[0]}" if name == "type" else f"Invalid parameter: {name}: {messages[0]}"
        return "Invalid parameter"

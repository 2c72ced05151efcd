"""Exports and imports of a table with a password (docs/access.md, docs/bulk-loads.md): the file
holds the mask, never the hash, and loading it back leaves every password as it was."""

import csv
import io

import pytest
from django.core.management import call_command

from contacts.models import Contact
from csm_project.core.records.wire_values import PASSWORD_MASK
from tests.contacts.factories_contacts import ContactFactory

pytestmark = pytest.mark.django_db


def test_an_export_shows_passwords_masked_and_loads_back_unchanged(tmp_path):
    with_password = ContactFactory(user_name="exported.login")
    with_password.set_password("Exp0rt-me")
    with_password.save()
    ContactFactory(user_name="exported.plain")
    path = tmp_path / "contacts.csv"

    call_command("export_records", "customer_contact", "--format", "csv", "-o", str(path), stdout=io.StringIO())

    text = path.read_text()
    rows = {row["user_name"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows["exported.login"]["user_password"] == PASSWORD_MASK
    assert rows["exported.plain"]["user_password"] == ""
    assert with_password.password not in text
    hashes = {contact.pk: contact.password for contact in Contact.objects.all()}

    out = io.StringIO()
    call_command("import_records", "customer_contact", str(path), "--upsert", stdout=out, stderr=io.StringIO())

    assert "updated 0" in out.getvalue()
    assert {contact.pk: contact.password for contact in Contact.objects.all()} == hashes
    assert Contact.objects.get(pk=with_password.pk).check_password("Exp0rt-me")

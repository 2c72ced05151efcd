"""A contact's sort keys (names, e-mail, number, creation) kept on customer_contact, with their
indexes alone and after the account, so its common lists are index-served (contacts/list_keys.py)."""

from django.db import migrations


def install(apps, schema_editor):
    from contacts.list_keys import list_keys_install

    list_keys_install(schema_editor.connection)


def drop(apps, schema_editor):
    from contacts.list_keys import list_keys_drop

    list_keys_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0005_login_field_access"), ("core", "0014_number_sequences")]

    operations = [migrations.RunPython(install, drop, elidable=False)]

"""The admin's import page through Django's test client: upload, preview (a dry run: nothing
written), confirm (the load, audited as the staff member), and who may do what."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contacts.models import Account
from csm_project.core.access.staff_roles import AGENT, MANAGER
from csm_project.core.models import ImportUpload, SysAudit, User

pytestmark = pytest.mark.django_db

GOOD_AND_BAD = b"Name,City,customer\nAcme,Paris,true\nBoxeo,Oslo,false\nBroken,Lima,maybe\n"


def staff(client, user_name: str, group: str | None) -> User:
    user = User.objects.create_user(user_name, "pw-123456", is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def upload(client, data: bytes = GOOD_AND_BAD, name: str = "accounts.csv", **fields):
    form = {"table": "customer_account", "file": SimpleUploadedFile(name, data, "text/csv"), **fields}
    return client.post(reverse("admin_import"), form)


def test_an_agent_previews_then_confirms_and_the_load_is_audited_as_them(client):
    agent = staff(client, "agent.imp", AGENT)
    page = client.get(reverse("admin_import"))
    assert page.status_code == 200
    assert 'value="customer_account"' in page.content.decode()

    response = upload(client, skip_bad="on")
    assert response.status_code == 302
    stored = ImportUpload.objects.get()
    assert (stored.user_id, stored.table, stored.size, bytes(stored.content)) == (
        agent.pk,
        "customer_account",
        len(GOOD_AND_BAD),
        GOOD_AND_BAD,
    )
    assert response["Location"] == reverse("admin_import_preview", args=[stored.pk])

    audits = SysAudit.objects.count()
    preview = client.get(response["Location"])
    body = preview.content.decode()
    assert preview.status_code == 200
    result = preview.context["result"]
    assert (result.read, result.created, result.updated, result.rejected) == (3, 2, 0, 1)
    assert [row["line"] for row in result.samples["insert"]] == [2, 3]
    assert result.samples["reject"] == [
        {
            "line": 4,
            "values": {"name": "Broken", "city": "Lima", "customer": "maybe"},
            "errors": ["line 4, customer: 'maybe' is not true or false"],
        }
    ]
    assert "Acme" in body and "&#x27;maybe&#x27; is not true or false" in body and 'name="_confirm"' in body
    assert not Account.objects.exists()
    assert SysAudit.objects.count() == audits

    done = client.post(response["Location"], {"_confirm": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("admin:contacts_account_changelist")
    assert set(Account.objects.values_list("name", "city", "customer")) == {
        ("Acme", "Paris", True),
        ("Boxeo", "Oslo", False),
    }
    acme = Account.objects.get(name="Acme")
    assert acme.sys_created_by == "agent.imp"
    audit = SysAudit.objects.filter(documentkey=acme.pk, fieldname="name").get()
    assert (audit.user, audit.newvalue, audit.reason) == ("agent.imp", "Acme", "admin import accounts.csv")
    assert not ImportUpload.objects.exists()


def test_an_upsert_preview_shows_updates_and_the_load_changes_them(client):
    staff(client, "manager.imp", MANAGER)
    old = Account.objects.create(name="Old", city="Oslo")
    data = f"sys_id,name,city\n{old.sys_id},Old,Paris\n,New,Lima\n".encode()
    response = upload(client, data, upsert="on")
    preview = client.get(response["Location"])
    result = preview.context["result"]
    assert (result.created, result.updated) == (1, 1)
    assert result.samples["update"][0]["sys_id"] == old.sys_id
    assert result.samples["update"][0]["changed"] == {"city": "Paris"}
    assert Account.objects.get(pk=old.pk).city == "Oslo"
    client.post(response["Location"], {"_confirm": "1"})
    assert Account.objects.get(pk=old.pk).city == "Paris"
    assert Account.objects.filter(name="New").exists()


def test_bad_rows_without_skip_bad_offer_no_load_and_a_forced_confirm_writes_nothing(client):
    staff(client, "agent.bad", AGENT)
    response = upload(client)
    preview = client.get(response["Location"])
    assert preview.context["loadable"] is False and 'name="_confirm"' not in preview.content.decode()
    forced = client.post(response["Location"], {"_confirm": "1"})
    assert forced.status_code == 200 and "Nothing was written" in forced.content.decode()
    assert not Account.objects.exists() and ImportUpload.objects.count() == 1
    cancelled = client.post(response["Location"], {"_cancel": "1"})
    assert cancelled.status_code == 302 and not ImportUpload.objects.exists()


def test_a_latin_1_file_shows_its_line_then_loads_with_its_encoding(client):
    staff(client, "agent.enc", AGENT)
    data = "name,city\nCafé,Zürich\n".encode("latin-1")
    preview = client.get(upload(client, data)["Location"])
    assert "line 2: not UTF-8 text" in preview.context["error"]
    assert "line 2: not UTF-8 text" in preview.content.decode()
    response = upload(client, data, encoding="latin-1")
    client.post(response["Location"], {"_confirm": "1"})
    assert Account.objects.get().name == "Café"


def test_rights_roles_owners_and_size(client, settings):
    staff(client, "no.group", None)
    assert client.get(reverse("admin_import")).status_code == 403

    client.logout()
    User.objects.create_user("not.staff", "pw-123456")
    client.login(username="not.staff", password="pw-123456")
    assert client.get(reverse("admin_import")).status_code == 302  # to the admin's login

    agent = staff(client, "agent.rights", AGENT)
    response = client.post(
        reverse("admin_import"),
        {"table": "sys_user", "file": SimpleUploadedFile("u.csv", b"user_name\nx\n")},
    )
    assert response.status_code == 200 and "table" in response.context["form"].errors  # agents add no users
    assert not ImportUpload.objects.exists()

    theirs = ImportUpload.objects.create(
        user=User.objects.create_user("other.one", "pw-123456"), table="customer_account", name="x.csv",
        content=b"name\nx\n", size=7,
    )  # fmt: skip
    assert client.get(reverse("admin_import_preview", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("admin_import_preview", args=[theirs.pk]), {"_confirm": "1"}).status_code == 404
    assert not Account.objects.exists()

    settings.ADMIN_IMPORT_MAX_BYTES = 10
    response = upload(client)
    assert response.status_code == 200 and "at most 10" in str(response.context["form"].errors["file"])

    agent.groups.clear()
    mine = ImportUpload.objects.create(user=agent, table="customer_account", name="m.csv", content=b"name\nx\n", size=7)
    assert client.post(reverse("admin_import_preview", args=[mine.pk]), {"_confirm": "1"}).status_code == 403
    assert not Account.objects.exists()


def test_the_account_list_links_to_the_import_page_for_those_who_may_import(client):
    staff(client, "agent.link", AGENT)
    page = client.get(reverse("admin:contacts_account_changelist"))
    assert f'href="{reverse("admin_import")}?table=customer_account"' in page.content.decode()


def test_contacts_imported_in_the_admin_get_their_social_profiles_as_with_import_contacts(client):
    from contacts.models import Contact, SocialProfile

    staff(client, "agent.social", AGENT)
    data = (
        b"user_name,first_name,last_name,social_channel,social_handle,social_handle_url\n"
        b"ann.adm,Ann,Adm,Twitter,@annadm,https://twitter.com/annadm\n"
    )
    response = client.post(
        reverse("admin_import"),
        {"table": "customer_contact", "file": SimpleUploadedFile("c.csv", data, "text/csv")},
    )
    preview = client.get(response["Location"])
    assert (preview.context["result"].created, preview.context["result"].rejected) == (1, 0)
    assert not SocialProfile.objects.exists()
    client.post(response["Location"], {"_confirm": "1"})
    assert SocialProfile.objects.get().contact == Contact.objects.get(user_name="ann.adm")

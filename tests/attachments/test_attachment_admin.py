"""Staff see a record's attachments on its admin page and download them there."""

from django.test import Client
from django.urls import reverse

from contacts.models import Account
from csm_project.attachments import services


def test_record_page_lists_attachments_with_download_links(make_user):
    staff = make_user(is_superuser=True, is_staff=True)
    account = Account.objects.create(name="Acme")
    attachment = services.attachment_add_stream(
        user=staff, table_name="customer_account", table_sys_id=account.sys_id, file_name="contract.txt",
        content_type="text/plain", chunks=iter([b"signed ", b"copy"]),
    )  # fmt: skip
    browser = Client()
    browser.force_login(staff)

    page = browser.get(reverse("admin:contacts_account_change", args=[account.sys_id]))

    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="attachments-panel"' in html and "contract.txt" in html and attachment.hash in html
    link = reverse("admin:attachments_attachment_download", args=[attachment.sys_id])
    assert f'href="{link}"' in html
    download = browser.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"signed copy"
    assert download["Content-Type"] == "text/plain"
    listing = browser.get(reverse("admin:attachments_attachment_changelist"))
    assert listing.status_code == 200 and "contract.txt" in listing.content.decode()
    other = Account.objects.create(name="Empty")
    empty = browser.get(reverse("admin:contacts_account_change", args=[other.sys_id])).content.decode()
    assert "No attachments." in empty


def test_download_in_the_admin_needs_staff(make_user):
    owner = make_user(is_superuser=True, is_staff=True)
    account = Account.objects.create(name="Acme")
    attachment = services.attachment_add_stream(
        user=owner, table_name="customer_account", table_sys_id=account.sys_id, file_name="a.txt",
        content_type="text/plain", chunks=iter([b"secret"]),
    )  # fmt: skip
    browser = Client()
    browser.force_login(make_user())

    response = browser.get(reverse("admin:attachments_attachment_download", args=[attachment.sys_id]))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]

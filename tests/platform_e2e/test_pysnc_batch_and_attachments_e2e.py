"""pysnc, unchanged, against a real HTTPS instance (gunicorn, two workers): the calls that go
through the Batch API (``update_multiple``, ``delete_multiple``, a query whose URL passes
10,000 characters) and the Attachment API (``add_attachment``, ``get_attachments``, download).
Results are checked in the instance's own database file, independently of the API."""

import hashlib

import pytest
from pysnc import ServiceNowClient

from tests.table_api import https_instance
from tests.table_api.https_instance import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    directory = tmp_path_factory.mktemp("platform-https")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ATTACHMENT_ROOT", str(directory / "attachments"))
        started = https_instance.start(directory)
    started.attachments = directory / "attachments"
    yield started
    https_instance.stop(started)


@pytest.fixture(autouse=True)
def _only_our_ca_file(monkeypatch):
    for name in https_instance.CA_BUNDLE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def client(instance, user: str = "csm.integration") -> ServiceNowClient:
    return ServiceNowClient(instance.url, (user, PASSWORD), verify=instance.ca_file)


def test_update_multiple_goes_through_the_batch_api(instance):
    city = instance.sql("SELECT city FROM customer_contact WHERE city IS NOT NULL GROUP BY city ORDER BY count(*) DESC")
    city = city[0][0]
    gr = client(instance).GlideRecord("customer_contact", batch_size=5)
    gr.add_query("city", city)
    gr.query()
    count = 0
    for record in gr:
        record.set_value("title", "Batched title")
        count += 1

    assert count > 5
    assert gr.update_multiple() is True
    titles = instance.sql("SELECT title, sys_mod_count FROM customer_contact c JOIN sys_user u "
                          "ON u.sys_id = c.user_ptr_id WHERE c.city = ?", city)  # fmt: skip
    assert len(titles) == count
    assert {title for title, _ in titles} == {"Batched title"}
    assert all(mod_count >= 1 for _, mod_count in titles)


def test_delete_multiple_goes_through_the_batch_api(instance):
    sn = client(instance)
    for n in range(7):
        new = sn.GlideRecord("customer_account")
        new.initialize()
        new.set_value("name", f"Batch delete {n}")
        new.insert()
    assert instance.sql("SELECT count(*) FROM customer_account WHERE name LIKE 'Batch delete %'")[0][0] == 7

    doomed = sn.GlideRecord("customer_account")
    doomed.add_query("name", "STARTSWITH", "Batch delete")

    assert doomed.delete_multiple() is True
    assert instance.sql("SELECT count(*) FROM customer_account WHERE name LIKE 'Batch delete %'")[0][0] == 0
    assert instance.sql("SELECT count(*) FROM customer_account")[0][0] > 0


def test_a_query_longer_than_ten_thousand_characters_is_sent_as_a_batch(instance):
    sql = (
        "SELECT user_name FROM sys_user u JOIN customer_contact c ON u.sys_id = c.user_ptr_id"
        " WHERE u.active ORDER BY user_name LIMIT 5"
    )
    real = [row[0] for row in instance.sql(sql)]
    names = real + [f"nobody.{n:04d}" for n in range(900)]
    gr = client(instance).GlideRecord("customer_contact")
    gr.add_query("user_name", "IN", ",".join(names))
    gr.order_by("user_name")

    assert len("&".join(f"{key}={value}" for key, value in gr._parameters().items())) > 10_000
    gr.query()

    assert [record.get_value("user_name") for record in gr] == sorted(real, key=str.lower)
    assert gr.get_row_count() == 5


def test_add_attachment_list_and_download(instance):
    sn = client(instance)
    contact = sn.GlideRecord("customer_contact")
    contact.add_query("city", "Orlando")
    contact.query()
    assert contact.next()
    content = bytes(range(256)) * 400

    location = contact.add_attachment("data.bin", content, "application/octet-stream")
    contact.add_attachment("notes.txt", b"first line\nsecond line", "text/plain")

    sys_id = location.rstrip("/").rsplit("/", 1)[1]
    assert location == f"{instance.url}/api/now/v1/attachment/{sys_id}"
    found = {}
    for attachment in contact.get_attachments():  # pysnc moves one cursor: read each in turn
        text = attachment.readlines() if attachment.file_name.endswith(".txt") else None
        found[attachment.file_name] = (attachment.read(), text, attachment.hash)
    assert set(found) == {"data.bin", "notes.txt"}
    assert found["data.bin"][0] == content
    assert found["data.bin"][2] == hashlib.sha256(content).hexdigest()
    assert found["notes.txt"][1] == ["first line", "second line"]
    row = instance.sql("SELECT size_bytes, hash, table_sys_id FROM sys_attachment WHERE sys_id = ?", sys_id)
    assert row == [(len(content), hashlib.sha256(content).hexdigest(), contact.get_value("sys_id"))]
    assert [path.read_bytes() for path in instance.attachments.rglob(sys_id)] == [content]
    # A user without the read right on customer_contact sees none of them.
    hidden = client(instance, "lead.integrator").Attachment("customer_contact")
    hidden.add_query("table_sys_id", contact.get_value("sys_id"))
    hidden.query()
    assert [attachment.file_name for attachment in hidden] == []

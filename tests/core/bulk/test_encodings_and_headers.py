"""Text encodings and header rows of files to load: UTF-8 with or without a byte order mark,
``--encoding``, text that is not in its encoding reported with its line; headers as field
names, labels in any case, or mapped with ``--map``; every refusal a CommandError, never a
traceback, and nothing written."""

import io

import pytest
from django.core.management import CommandError, call_command

from contacts.models import Account, Contact

pytestmark = pytest.mark.django_db


def load(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())
    return str(caught.value)


def test_latin_1_without_encoding_names_the_line_and_suggests_encoding(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_bytes("name,city\nPlain,Oslo\nCafé du Nord,Zürich\n".encode("latin-1"))
    message = refused("import_records", "customer_account", str(path))
    assert "line 3: not UTF-8 text (byte 0xe9 at column 4)" in message
    assert "--encoding" in message
    assert not Account.objects.exists()

    load("import_records", "customer_account", str(path), "--encoding", "latin-1")
    assert set(Account.objects.values_list("name", "city")) == {("Plain", "Oslo"), ("Café du Nord", "Zürich")}


def test_cp1252_and_utf8_with_and_without_bom(tmp_path):
    cp = tmp_path / "cp.csv"
    cp.write_bytes("name,notes\nEuro,“5 €”\n".encode("cp1252"))
    load("import_records", "customer_account", str(cp), "--encoding", "cp1252")
    assert Account.objects.get(name="Euro").notes == "“5 €”"
    for name, data in (("bom", b"\xef\xbb\xbfname\nB\xc3\xb8rge\n"), ("plain", b"name\nSm\xc3\xb8rrebr\xc3\xb8d\n")):
        path = tmp_path / f"{name}.csv"
        path.write_bytes(data)
        load("import_records", "customer_account", str(path))
    assert {"Børge", "Smørrebrød"} <= set(Account.objects.values_list("name", flat=True))


def test_a_wrong_given_encoding_an_unknown_one_and_utf16_are_clear_errors(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"name\nok\nbad \x81 byte\n")
    assert "line 3: not cp1252 text (byte 0x81 at column 5)" in refused(
        "import_records", "customer_account", str(path), "--encoding", "cp1252"
    )
    assert "Unknown encoding 'klingon'" in refused(
        "import_records", "customer_account", str(path), "--encoding", "klingon"
    )
    utf16 = tmp_path / "u16.csv"
    utf16.write_bytes("name\nx\n".encode("utf-16"))
    assert "UTF-16" in refused("import_records", "customer_account", str(utf16))
    workbook = tmp_path / "book.csv"
    workbook.write_bytes(b"PK\x03\x04\x14\x00\x06\x00binary")
    assert "zip file (an Excel workbook?)" in refused("import_records", "customer_account", str(workbook))
    assert not Account.objects.exists()


def test_json_lines_not_in_utf8_name_the_line(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes('{"name": "ok"}\n{"name": "Café"}\n'.encode("latin-1"))
    assert "line 2: not UTF-8 text" in refused("import_records", "customer_account", str(path))
    load("import_records", "customer_account", str(path), "--encoding", "latin-1")
    assert set(Account.objects.values_list("name", flat=True)) == {"ok", "Café"}


def test_a_row_csv_cannot_read_is_an_error_with_its_line(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("name,notes\nok,fine\nbig," + "x" * 200_000 + "\n", encoding="utf-8")
    message = refused("import_records", "customer_account", str(path))
    assert "line 3: not readable as CSV" in message
    assert not Account.objects.exists()


def test_labels_in_any_case_and_mapped_columns_are_headers(tmp_path):
    account = Account.objects.create(name="Home")
    path = tmp_path / "contacts.csv"
    path.write_text(
        " User Name ,FIRST NAME,last name,Business Phone,E-mail address,Firm\n"
        f"lab.one,Lab,One,+1 555 0100,lab@example.com,{account.sys_id}\n",
        encoding="utf-8",
    )
    load("import_contacts", str(path), "--map", "e-mail address=email", "--map", "Firm=account")
    contact = Contact.objects.get(user_name="lab.one")
    assert (contact.first_name, contact.last_name, contact.phone, contact.email, contact.account_id) == (
        "Lab",
        "One",
        "+1 555 0100",
        "lab@example.com",
        account.sys_id,
    )


def test_unknown_and_doubled_headers_and_bad_maps_are_clear_errors(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("name,Town,Colour\nA,Oslo,red\n", encoding="utf-8")
    message = refused("import_records", "customer_account", str(path))
    assert "line 1: unknown column(s) 'Town', 'Colour' for customer_account" in message
    assert "--map COLUMN=FIELD" in message
    listed = message.split("Fields: ", 1)[1].split(", ")
    assert {"city", "country", "industry", "name"} <= set(listed) and listed == sorted(listed)
    assert "--map Town=town: customer_account has no field 'town'" in refused(
        "import_records", "customer_account", str(path), "--map", "Town=town"
    )
    assert "give COLUMN=FIELD" in refused("import_records", "customer_account", str(path), "--map", "Town")
    doubled = tmp_path / "b.csv"
    doubled.write_text("name,NAME\nA,B\n", encoding="utf-8")
    assert "columns 'name' and 'NAME' both give customer_account.name" in refused(
        "import_records", "customer_account", str(doubled)
    )
    assert not Account.objects.exists()


def test_json_keys_resolve_as_headers_do(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('{"Name": "J1", "Town": "Oslo"}\n{"NAME": "J2", "nope": 1}\n', encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 bad row"):
        call_command(
            "import_records", "customer_account", str(path), "--map", "Town=city", stdout=io.StringIO(), stderr=err
        )
    assert "line 2, nope: customer_account has no such field" in err.getvalue()
    load("import_records", "customer_account", str(path), "--map", "Town=city", "--skip-bad")
    assert list(Account.objects.values_list("name", "city")) == [("J1", "Oslo")]

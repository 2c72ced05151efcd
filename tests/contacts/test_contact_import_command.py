"""``import_contacts``: contacts from CSV / JSON lines with the Contact API's rules, all rows or none."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from contacts.demo import BOXEO, load_crm
from contacts.models import Contact, SocialChannel, SocialProfile
from csm_project.core.models import User
from tests.contacts.factories_contacts import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return User.objects.count(), Contact.objects.count(), SocialProfile.objects.count(), SocialChannel.objects.count()


def run(path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_contacts", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_csv_rows_become_contacts_with_their_social_profiles(tmp_path, make_user):
    account = AccountFactory()
    make_user(user_name="data.engineer")
    path = tmp_path / "contacts.csv"
    path.write_text(
        "user_name,first_name,last_name,account,vip,latitude,social_channel,social_handle,social_handle_url\n"
        f"ann.csv,Ann,Csv,{account.sys_id},true,57.6,Twitter,@anncsv,https://twitter.com/anncsv\n"
        "bob.csv,Bob,Csv,,,,,,\n",
        encoding="utf-8",
    )

    out, _ = run(path, "--as-user", "data.engineer")

    assert "written 2" in out
    ann, bob = Contact.objects.get(user_name="ann.csv"), Contact.objects.get(user_name="bob.csv")
    assert (ann.name, ann.account_id, ann.vip, ann.latitude, ann.sys_created_by) == (
        "Ann Csv",
        account.sys_id,
        True,
        57.6,
        "data.engineer",
    )
    assert (bob.active, bob.vip, bob.account_id, bob.notification) == (True, False, None, 2)  # empty: defaults
    assert SocialProfile.objects.get().contact == ann
    assert not ann.has_usable_password()


def test_every_bad_row_is_reported_by_line_and_nothing_is_written(tmp_path):
    ContactFactory(user_name="already.here")
    before = counts()
    path = tmp_path / "contacts.csv"
    path.write_text(
        "user_name,first_name,failed_attempts,account,social_channel,social_handle,social_handle_url\n"
        "good.one,Good,1,,Twitter,@good,https://t.co/good\n"  # line 2: fine on its own
        "bad.number,Bad,many,,,,\n"  # line 3
        f"bad.account,Bad,,{'0' * 32},,,\n"  # line 4
        "Already.Here,Dup,,,,,\n"  # line 5: taken in another case
        "good.one,Again,,,,,\n"  # line 6: repeats line 2
        "long.handle,Long,,,Twitter,@" + "h" * 300 + ",https://t.co/x\n",  # line 7
        encoding="utf-8",
    )

    err = io.StringIO()

    with pytest.raises(CommandError, match="5 bad row"):
        call_command("import_contacts", str(path), stdout=io.StringIO(), stderr=err)

    assert [line.split(":")[0] for line in err.getvalue().splitlines() if not line.startswith("progress")] == [
        "line 3, failed_attempts",
        "line 4, account",
        "line 5, user_name",
        "line 6, user_name",
        "line 7, social_handle",
    ]
    assert counts() == before


def test_bad_rows_are_listed_on_stderr(tmp_path):
    path = tmp_path / "contacts.jsonl"
    path.write_text(
        json.dumps({"user_name": "j.one", "first_name": "J"})
        + "\n"
        + "{not json\n"
        + json.dumps(["a list"])
        + "\n"
        + json.dumps({"user_name": "j.two", "favourite_colour": "green"})
        + "\n"
        + json.dumps({"user_name": "j.three", "vip": {"nested": True}})
        + "\n",
        encoding="utf-8",
    )
    err = io.StringIO()

    with pytest.raises(CommandError, match="4 bad row"):
        call_command("import_contacts", str(path), stdout=io.StringIO(), stderr=err)

    lines = [line for line in err.getvalue().splitlines() if not line.startswith("progress")]
    assert lines[0].startswith("line 2: not valid JSON")
    assert lines[1] == "line 3: a line must hold one JSON object"
    assert lines[2] == "line 4, favourite_colour: customer_contact has no such field"
    assert lines[3].startswith("line 5, vip: ")
    assert not Contact.objects.filter(user_name="j.one").exists()


def test_dry_run_checks_and_writes_nothing(tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_text("user_name,first_name\ndry.one,Dry\n", encoding="utf-8")
    before = counts()

    out, _ = run(path, "--dry-run")

    assert "rejected 0" in out and "[dry run: nothing written]" in out
    assert counts() == before


def test_export_records_output_loads_back(tmp_path):
    load_crm(stdout=io.StringIO())
    exported = tmp_path / "boxeo.csv"
    call_command(
        "export_records",
        "customer_contact",
        "--query",
        f"account={BOXEO}",
        "--output",
        str(exported),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    originals = {c.user_name: c for c in Contact.objects.filter(account_id=BOXEO)}
    Contact.objects.filter(account_id=BOXEO).delete()

    out, _ = run(exported)

    assert f"written {len(originals)}" in out
    for user_name, original in originals.items():
        loaded = Contact.objects.get(user_name=user_name)
        assert loaded.sys_id == original.sys_id  # identities are kept, so references to them hold
        for field in (
            "name",
            "email",
            "phone",
            "account_id",
            "company_id",
            "location_id",
            "city",
            "vip",
            "last_login_time",
            "edu_status",
            "calendar_integration",
            "notification",
        ):
            assert getattr(loaded, field) == getattr(original, field), (user_name, field)

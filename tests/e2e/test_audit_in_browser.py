"""Staff read history, query lists and export CSV in a real browser (headless Chromium).

Screenshots of the lead form and the contact list are written to ``artifacts/screenshots/``
(git-ignored) so a person can look at what staff see."""

import io
import time
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from contacts.models import Account
from csm_project.core.access.roles import user_grant_roles
from csm_project.core.models import User
from csm_project.core.records.choices import choices_ensure
from leads.demo import CHOICES
from leads.models import LEAD_TABLE, Lead
from tests.contacts.factories_contacts import AccountFactory, ContactFactory
from tests.e2e.browser import chromium_driver

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
STAFF_PASSWORD = "staff-pass-1"
WAIT = 60  # seconds: generous, the machine is shared


@pytest.fixture
def downloads(tmp_path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def browser(downloads):
    driver = chromium_driver(download_dir=downloads)
    yield driver
    driver.quit()


@pytest.fixture
def staff(transactional_db):
    return User.objects.create_superuser("staff.viewer", STAFF_PASSWORD, first_name="Stella", last_name="Staff")


def log_in(browser, live_server) -> None:
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys("staff.viewer")
    browser.find_element(By.NAME, "password").send_keys(STAFF_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, WAIT).until(lambda driver: "/admin/login/" not in driver.current_url)


def screenshot(browser, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    browser.set_window_size(1400, max(1000, browser.execute_script("return document.body.scrollHeight")))
    assert browser.save_screenshot(str(path))
    return path


def test_lead_history_shows_an_api_patch(browser, live_server, staff):
    for element, values in CHOICES.items():
        choices_ensure(table=LEAD_TABLE, element=element, values=values)
    integrator = User.objects.create_user("lead.api", "api-pass-1", first_name="Abel", last_name="Tuter")
    user_grant_roles(user=integrator, roles=["sn_lead_mgmt_core.lead_integrator"])
    lead = Lead.objects.create(last_name="Wilson", city="San Francisco")

    response = requests.patch(
        f"{live_server.url}/api/sn_lead_mgmt_core/lead/{lead.pk}",
        json={"city": "Oakland", "first_name": "James"},
        auth=("lead.api", "api-pass-1"),
        headers={"Connection": "close"},
        timeout=WAIT,
    )
    assert response.status_code == 200, response.text
    response.close()

    log_in(browser, live_server)
    browser.get(f"{live_server.url}/admin/leads/lead/{lead.pk}/change/")
    rows = browser.find_elements(By.CSS_SELECTOR, "#csm-audit-history tr.csm-audit-row")
    cells = [[cell.text for cell in row.find_elements(By.TAG_NAME, "td")] for row in rows]
    # Newest first: the PATCH's two fields (checkpoint 1) above the insert's (checkpoint 0).
    patched = [row for row in cells if row[5] == "1"]
    assert {(row[1], row[2], row[3], row[4]) for row in patched} == {
        ("city", "San Francisco", "Oakland", "lead.api"),
        ("first_name", "", "James", "lead.api"),
    }
    assert cells.index(patched[-1]) < cells.index(next(row for row in cells if row[5] == "0"))
    assert screenshot(browser, "lead_form.png").stat().st_size > 10_000


def test_encoded_query_box_filters_the_list_and_reports_invalid_terms(browser, live_server, staff):
    for name, city in (("Acme", "Oslo"), ("Apex", "Lima"), ("Bolt", "Oslo")):
        Account.objects.create(name=name, city=city)
    log_in(browser, live_server)
    browser.get(f"{live_server.url}/admin/contacts/account/")

    box = browser.find_element(By.ID, "csm-sysparm-query")
    box.send_keys("city=Oslo^ORDERBYDESCname")
    box.submit()
    WebDriverWait(browser, WAIT).until(lambda driver: "sysparm_query=" in driver.current_url)
    names = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#result_list td.field-name")]
    assert names == ["Bolt", "Acme"]

    box = browser.find_element(By.ID, "csm-sysparm-query")
    box.clear()
    box.send_keys("city=Lima^bogus=1")
    box.submit()
    WebDriverWait(browser, WAIT).until(lambda driver: "bogus" in driver.current_url)
    assert [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#result_list td.field-name")] == ["Apex"]
    assert "bogus=1" in browser.find_element(By.CSS_SELECTOR, ".messagelist").text


def test_csv_export_of_the_filtered_list_loads_back_with_import_records(browser, live_server, staff, downloads):
    kept = [Account.objects.create(name=f"Export {n}", city="Oslo", phone=f"+47 {n}") for n in range(3)]
    Account.objects.create(name="Elsewhere", city="Lima")
    log_in(browser, live_server)
    browser.get(f"{live_server.url}/admin/contacts/account/?sysparm_query=city%3DOslo")
    browser.find_element(By.CSS_SELECTOR, "a.csm-export-filtered").click()

    target = downloads / "customer_account.csv"
    deadline = time.monotonic() + WAIT
    while not target.exists() and time.monotonic() < deadline:  # wait on the download, not a guess
        time.sleep(0.2)
    assert target.exists(), list(downloads.iterdir())

    before = {a.pk: (a.name, a.number, a.city, a.phone) for a in kept}
    Account.objects.filter(pk__in=before).delete()
    out = io.StringIO()
    call_command("import_records", "customer_account", str(target), stdout=out, stderr=io.StringIO())
    assert "written 3 (created 3, updated 0)" in out.getvalue()
    after = {a.pk: (a.name, a.number, a.city, a.phone) for a in Account.objects.filter(pk__in=before)}
    assert after == before


def test_contact_list_screenshot_has_no_account_filter(browser, live_server, staff):
    account = AccountFactory(name="Boxeo Screens")
    for n in range(5):
        ContactFactory(account=account, first_name=f"Person{n}")
    log_in(browser, live_server)
    browser.get(f"{live_server.url}/admin/contacts/contact/")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")) == 5
    filters = browser.find_element(By.ID, "changelist-filter").text
    assert "By account" not in filters and "Boxeo Screens" not in filters
    assert browser.find_element(By.ID, "csm-sysparm-query")
    assert screenshot(browser, "contact_list.png").stat().st_size > 10_000

"""The admin's import page in a real browser (headless Chromium): an agent opens it from the
account list, uploads a CSV with one bad row, reads the preview, and confirms; a manager
updates records with an upsert. The rows land, audited as the staff member."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from selenium.webdriver.support.wait import WebDriverWait

from contacts.models import Account
from csm_project.core.access.staff_roles import AGENT, MANAGER
from csm_project.core.models import ImportUpload, SysAudit
from tests.e2e.browser import chromium_driver
from tests.e2e.test_staff_roles_in_browser import WAIT, log_in, saved, staff_member

pytestmark = pytest.mark.e2e


@pytest.fixture
def browser():
    driver = chromium_driver()
    yield driver
    driver.quit()


def preview_count(browser, name: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, f"#csm-import-counts td.{name}").text


@pytest.mark.django_db(transaction=True)
def test_an_agent_uploads_previews_and_confirms(browser, live_server, tmp_path):
    staff_member("agent.up", AGENT)
    path = tmp_path / "accounts.csv"
    path.write_text("Name,City,Customer\nAcme,Paris,true\nBoxeo,Oslo,false\nBroken,Lima,maybe\n", encoding="utf-8")
    log_in(browser, live_server, "agent.up")

    browser.get(f"{live_server.url}/admin/contacts/account/")
    browser.find_element(By.CSS_SELECTOR, "a.csm-import").click()
    WebDriverWait(browser, WAIT).until(lambda driver: "/admin/import/" in driver.current_url)
    assert Select(browser.find_element(By.NAME, "table")).first_selected_option.get_attribute("value") == (
        "customer_account"
    )
    browser.find_element(By.NAME, "file").send_keys(str(path))
    browser.find_element(By.NAME, "skip_bad").click()
    browser.find_element(By.NAME, "_preview").click()

    WebDriverWait(browser, WAIT).until(lambda driver: driver.find_elements(By.ID, "csm-import-counts"))
    assert (preview_count(browser, "read"), preview_count(browser, "insert"), preview_count(browser, "rejected")) == (
        "3",
        "2",
        "1",
    )
    assert "Acme" in browser.find_element(By.ID, "csm-import-inserts").text
    rejects = browser.find_element(By.ID, "csm-import-rejects").text
    assert "line 4, customer: 'maybe' is not true or false" in rejects
    assert not Account.objects.exists()

    browser.find_element(By.NAME, "_confirm").click()
    assert "2 customer_account record(s) created" in saved(browser)
    assert "/admin/contacts/account/" in browser.current_url
    assert set(Account.objects.values_list("name", flat=True)) == {"Acme", "Boxeo"}
    acme = Account.objects.get(name="Acme")
    assert SysAudit.objects.get(documentkey=acme.pk, fieldname="name").user == "agent.up"
    assert not ImportUpload.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_manager_updates_records_with_an_upsert(browser, live_server, tmp_path):
    staff_member("manager.up", MANAGER)
    old = Account.objects.create(name="Old", city="Oslo")
    path = tmp_path / "changes.csv"
    path.write_text(f"sys_id,name,city\n{old.sys_id},Old,Paris\n", encoding="utf-8")
    log_in(browser, live_server, "manager.up")

    browser.get(f"{live_server.url}/admin/import/?table=customer_account")
    browser.find_element(By.NAME, "file").send_keys(str(path))
    browser.find_element(By.NAME, "upsert").click()
    browser.find_element(By.NAME, "_preview").click()
    WebDriverWait(browser, WAIT).until(lambda driver: driver.find_elements(By.ID, "csm-import-updates"))
    assert (
        preview_count(browser, "update") == "1"
        and "city → Paris" in browser.find_element(By.ID, "csm-import-updates").text
    )
    assert Account.objects.get(pk=old.pk).city == "Oslo"
    browser.find_element(By.NAME, "_confirm").click()
    assert "1 updated" in saved(browser)
    assert Account.objects.get(pk=old.pk).city == "Paris"

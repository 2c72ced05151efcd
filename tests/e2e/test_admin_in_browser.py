"""Staff work in the admin through a real browser: log in, find, edit, audit."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from csm_project.core.models import SystemProperty, User
from csm_project.core.properties import INVALID_QUERY_RETURNS_NO_ROWS, property_bool
from tests.e2e.browser import chromium_driver

pytestmark = pytest.mark.e2e

STAFF_PASSWORD = "staff-pass-1"


@pytest.fixture
def browser():
    driver = chromium_driver()
    yield driver
    driver.quit()


@pytest.fixture
def staff(transactional_db):
    return User.objects.create_superuser("staff.member", STAFF_PASSWORD, first_name="Stella", last_name="Staff")


def log_in(browser, live_server, user_name: str, password: str, *, expect_success: bool = True) -> None:
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys(user_name)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    if expect_success:
        # The login page shares elements with the next one: wait for the navigation itself.
        WebDriverWait(browser, 120).until(lambda driver: "/admin/login/" not in driver.current_url)


def test_wrong_password_stays_on_the_login_page(browser, live_server, staff):
    log_in(browser, live_server, "staff.member", "not-it", expect_success=False)
    assert "/admin/login/" in browser.current_url
    assert "correct" in browser.find_element(By.CSS_SELECTOR, ".errornote").text


def test_staff_finds_and_edits_a_user_and_the_change_is_audited(browser, live_server, staff, tmp_path):
    target = User.objects.create_user("george.warren", "x", first_name="George", last_name="Warren")
    log_in(browser, live_server, "staff.member", STAFF_PASSWORD)
    assert browser.find_element(By.ID, "site-name").text == "CSM Platform"

    browser.get(f"{live_server.url}/admin/core/user/?q=warren")
    browser.find_element(By.LINK_TEXT, "george.warren").click()
    title = browser.find_element(By.NAME, "title")
    title.clear()
    title.send_keys("Network Administrator")
    browser.find_element(By.NAME, "_save").click()
    assert "was changed successfully" in browser.find_element(By.CSS_SELECTOR, ".messagelist").text
    browser.save_screenshot(str(tmp_path / "admin_user_saved.png"))  # kept by pytest for a look

    target.refresh_from_db()
    assert target.title == "Network Administrator"
    assert target.sys_mod_count == 1
    assert target.sys_updated_by == "staff.member"


def test_staff_flips_a_system_property_and_it_applies_at_once(browser, live_server, staff):
    assert property_bool(INVALID_QUERY_RETURNS_NO_ROWS) is False
    log_in(browser, live_server, "staff.member", STAFF_PASSWORD)
    prop = SystemProperty.objects.get(name=INVALID_QUERY_RETURNS_NO_ROWS)
    browser.get(f"{live_server.url}/admin/core/systemproperty/{prop.pk}/change/")
    value = browser.find_element(By.NAME, "value")
    value.clear()
    value.send_keys("true")
    browser.find_element(By.NAME, "_save").click()
    assert "was changed successfully" in browser.find_element(By.CSS_SELECTOR, ".messagelist").text
    assert property_bool(INVALID_QUERY_RETURNS_NO_ROWS) is True


def test_staff_are_held_to_the_lead_rules_in_the_admin(browser, live_server, staff):
    from selenium.webdriver.support.ui import Select

    from csm_project.core.records.choices import choices_ensure
    from leads.choice_lists import CHOICES
    from leads.models import LEAD_TABLE, Lead

    choices_ensure(table=LEAD_TABLE, element="stage", values=CHOICES["stage"])
    lead = Lead.objects.create(last_name="Wilson", stage="300_nurturing", lead_score=92)
    log_in(browser, live_server, "staff.member", STAFF_PASSWORD)

    browser.get(f"{live_server.url}/admin/leads/lead/{lead.pk}/change/")
    Select(browser.find_element(By.NAME, "stage")).select_by_visible_text("Disqualified")
    score = browser.find_element(By.NAME, "lead_score")
    score.clear()
    score.send_keys("40.5")
    browser.find_element(By.NAME, "_save").click()
    errors = browser.find_element(By.CSS_SELECTOR, ".errorlist").text
    assert "Lead score must be a whole number from 1 to 100." in errors
    lead.refresh_from_db()
    assert (lead.stage, lead.lead_score, lead.closed_date) == ("300_nurturing", 92, None)

    score = browser.find_element(By.NAME, "lead_score")
    score.clear()
    score.send_keys("40")
    browser.find_element(By.NAME, "_save").click()
    assert "was changed successfully" in browser.find_element(By.CSS_SELECTOR, ".messagelist").text
    lead.refresh_from_db()
    assert (lead.stage, lead.lead_score) == ("500_closed_lost", 40)
    assert lead.closed_date is not None

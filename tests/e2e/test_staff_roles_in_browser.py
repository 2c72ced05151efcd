"""Staff who are not superusers, each in one staff group, in a real browser (headless Chromium):
what each sees on the admin's index, one thing its role allows and one it forbids."""

import pytest
from django.contrib.auth.models import Group
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from selenium.webdriver.support.wait import WebDriverWait

from csm_project.core.access.staff_roles import ADMINISTRATOR, AGENT, MANAGER
from csm_project.core.models import JournalEntry, User
from leads.models import Lead
from tests.e2e.browser import chromium_driver

pytestmark = pytest.mark.e2e

PASSWORD = "staff-pass-1"
WAIT = 120  # seconds: generous, the machine is shared


@pytest.fixture
def browser():
    driver = chromium_driver()
    yield driver
    driver.quit()


def staff_member(user_name: str, group: str) -> User:
    user = User.objects.create_user(user_name, PASSWORD, first_name=user_name.split(".")[0].title(), is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def log_in(browser, live_server, user_name: str) -> None:
    browser.get(f"{live_server.url}/admin/login/")
    browser.find_element(By.NAME, "username").send_keys(user_name)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, WAIT).until(lambda driver: "/admin/login/" not in driver.current_url)


def index_links(browser, live_server) -> set[str]:
    browser.get(f"{live_server.url}/admin/")
    browser.find_element(By.ID, "content-main")
    return {
        link.get_attribute("href").removeprefix(live_server.url)
        for link in browser.find_elements(By.CSS_SELECTOR, "#content-main th[scope=row] a")
    }


def absent(browser, by: str, value: str) -> bool:
    """Whether the loaded page lacks the element (asked without the implicit wait, which would
    otherwise wait its whole length for an element that is rightly missing)."""
    browser.find_element(By.ID, "content")  # the page is there
    browser.implicitly_wait(0)
    try:
        return not browser.find_elements(by, value)
    finally:
        browser.implicitly_wait(60)


def saved(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, ".messagelist").text


@pytest.mark.django_db(transaction=True)
def test_an_agent_works_a_lead_but_cannot_delete_it(browser, live_server):
    staff_member("agent.ann", AGENT)
    lead = Lead.objects.create(last_name="Wilson", stage="100_new")
    log_in(browser, live_server, "agent.ann")

    links = index_links(browser, live_server)
    assert {"/admin/leads/lead/", "/admin/contacts/contact/", "/admin/interactions/interaction/"} <= links
    assert not {"/admin/auth/group/", "/admin/core/tableaccess/", "/admin/core/systemproperty/"} & links

    browser.get(f"{live_server.url}/admin/leads/lead/{lead.pk}/change/")
    Select(browser.find_element(By.NAME, "stage")).select_by_visible_text("Nurturing")
    browser.find_element(By.NAME, "work_note").send_keys("Asked for a demo")
    browser.find_element(By.NAME, "_save").click()
    assert "was changed successfully" in saved(browser)
    lead.refresh_from_db()
    assert lead.stage == "300_nurturing"
    assert JournalEntry.objects.get(element_id=lead.pk).value == "Asked for a demo"

    browser.get(f"{live_server.url}/admin/leads/lead/")
    assert "Nurturing" in browser.find_element(By.ID, "result_list").text
    assert absent(browser, By.CSS_SELECTOR, "a.csm-export-filtered")
    browser.get(f"{live_server.url}/admin/leads/lead/{lead.pk}/change/")
    assert absent(browser, By.CSS_SELECTOR, "a.deletelink")
    browser.get(f"{live_server.url}/admin/leads/lead/{lead.pk}/delete/")
    assert "403" in browser.find_element(By.TAG_NAME, "body").text
    assert Lead.objects.filter(pk=lead.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_manager_deletes_a_lead_but_cannot_manage_users(browser, live_server):
    staff_member("manager.mo", MANAGER)
    lead = Lead.objects.create(last_name="Gone")
    log_in(browser, live_server, "manager.mo")

    links = index_links(browser, live_server)
    assert "/admin/leads/lead/" in links and "/admin/core/user/" in links  # users: to read
    assert "/admin/auth/group/" not in links

    browser.get(f"{live_server.url}/admin/leads/lead/")
    assert browser.find_elements(By.CSS_SELECTOR, "a.csm-export-filtered")
    browser.get(f"{live_server.url}/admin/leads/lead/{lead.pk}/delete/")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    assert "was deleted successfully" in saved(browser)
    assert not Lead.objects.filter(pk=lead.pk).exists()

    browser.get(f"{live_server.url}/admin/core/user/")
    assert absent(browser, By.CSS_SELECTOR, ".object-tools a.addlink")
    browser.get(f"{live_server.url}/admin/core/user/add/")
    assert "403" in browser.find_element(By.TAG_NAME, "body").text
    assert not User.objects.filter(user_name="").exists()


@pytest.mark.django_db(transaction=True)
def test_an_administrator_makes_a_user_an_agent_but_not_a_superuser(browser, live_server):
    staff_member("admin.ada", ADMINISTRATOR)
    clerk = User.objects.create_user("new.clerk", PASSWORD, is_staff=True)
    log_in(browser, live_server, "admin.ada")

    links = index_links(browser, live_server)
    assert {"/admin/core/user/", "/admin/auth/group/", "/admin/core/tableaccess/", "/admin/core/choice/"} <= links

    browser.get(f"{live_server.url}/admin/core/user/{clerk.pk}/change/")
    Select(browser.find_element(By.ID, "id_groups_from")).select_by_visible_text(AGENT)
    browser.find_element(By.ID, "id_groups_add").click()
    assert absent(browser, By.NAME, "is_superuser")  # shown, not editable
    browser.find_element(By.NAME, "_save").click()
    assert "was changed successfully" in saved(browser)
    clerk.refresh_from_db()
    assert list(clerk.groups.values_list("name", flat=True)) == [AGENT] and not clerk.is_superuser

    root = User.objects.create_superuser("root.user", PASSWORD)
    browser.get(f"{live_server.url}/admin/core/user/{root.pk}/change/")
    assert absent(browser, By.NAME, "_save")  # a superuser's account is read-only to them
    browser.get(f"{live_server.url}/admin/core/user/{root.pk}/password/")
    assert "403" in browser.find_element(By.TAG_NAME, "body").text

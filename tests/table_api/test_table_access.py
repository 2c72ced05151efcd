"""Table access rules: every table × role × method of the product's rules, allowed or refused in
the envelope; the rules are data staff see and change in the admin, and a change applies at once."""

import pytest

from csm_project.core.models import Role, TableAccess
from csm_project.registry import all_tables

MISSING = "0" * 32
CONTACT, AGENT, LEADS = "csm_ws_integration", "interaction_agent", "sn_lead_mgmt_core.lead_integrator"
CC_AGENT, CC_ADMIN = "contact_center_agent", "contact_center_admin"
CUSTOMER, CONSUMER = "sn_customerservice.customer", "sn_customerservice.consumer"  # their rows only (row rules)

# The product's rules, restated from the contract: tables -> (roles that read, roles that write).
# "admin" passes everything; () means nobody else.
EXPECTED = {
    **dict.fromkeys(("cmn_location", "sn_app_cs_social_social_profile", "sn_app_cs_social_social_channel"),
                    ({CONTACT}, {CONTACT})),
    "customer_account": ({CONTACT, CUSTOMER}, {CONTACT}),
    "customer_contact": ({CONTACT, CUSTOMER}, {CONTACT, CUSTOMER}),
    "csm_consumer": ({CONTACT, CONSUMER}, {CONTACT, CONSUMER}),
    **dict.fromkeys(("interaction", "interaction_json_blob", "live_group_profile"), ({AGENT}, {AGENT})),
    **dict.fromkeys(("interaction_connector", "awa_queue"), ({AGENT}, set())),
    **dict.fromkeys(("sn_lead_mgmt_core_lead", "sn_lead_mgmt_core_lead_line_item"), ({LEADS}, {LEADS})),
    **dict.fromkeys(("sn_prd_pm_product_offering", "sn_prd_pm_uom", "sys_user_group"), ({LEADS}, set())),
    "sn_cc_custom_contact": ({CC_AGENT, CC_ADMIN}, {CC_ADMIN}),
    **dict.fromkeys(("sys_user", "sys_user_role", "sys_journal_field", "sys_properties", "sys_choice"), (set(), set())),
    "sys_user_grmember": (set(), set()),
}  # fmt: skip

CALLERS = {
    "no role": (),
    CONTACT: (CONTACT,),
    AGENT: (AGENT,),
    LEADS: (LEADS,),
    CC_AGENT: (CC_AGENT,),
    CC_ADMIN: (CC_ADMIN,),
    "admin role": ("admin",),
}
WORDS = {"GET": "query", "POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}


@pytest.fixture
def callers(client_for):
    clients = {name: client_for(*roles) for name, roles in CALLERS.items()}
    clients["superuser"] = client_for(is_superuser=True)
    return clients


def send(client, method: str, table: str):
    """A request whose outcome, once allowed, needs no record: a list, a body that is not an
    object (400), a change or delete of a record that does not exist (404)."""
    base = f"/api/now/table/{table}"
    if method == "GET":
        return client.get(base, {"sysparm_limit": "1"})
    if method == "POST":
        return client.post(base, data="[1]", content_type="application/json")
    return client.generic(method, f"{base}/{MISSING}", data="{}", content_type="application/json")


ALLOWED_STATUS = {"GET": 200, "POST": 400, "PUT": 404, "PATCH": 404, "DELETE": 404}


def allowed(caller: str, method: str, table: str) -> bool:
    if caller in ("admin role", "superuser"):
        return True
    readers, writers = EXPECTED[table]
    roles = set(CALLERS[caller])
    return bool(roles & (readers if method == "GET" else writers))


@pytest.mark.parametrize("table", sorted(table for table in EXPECTED if table in all_tables()))
def test_every_role_and_method_is_allowed_or_refused_as_the_rules_say(callers, table):
    wrong = []
    for caller, client in callers.items():
        for method in WORDS:
            response = send(client, method, table)
            if allowed(caller, method, table):
                ok = response.status_code == ALLOWED_STATUS[method]
            else:
                ok = response.status_code == 403 and response.json() == {
                    "error": {"message": f"Insufficient rights to {WORDS[method]} records", "detail": None},
                    "status": "failure",
                }
            if not ok:
                wrong.append((caller, method, response.status_code, response.content[:120]))
    assert wrong == []


def test_every_rule_of_the_contract_is_seeded():
    seeded = {
        rule.table: ({role.name for role in rule.read_roles.all()}, {role.name for role in rule.write_roles.all()})
        for rule in TableAccess.objects.prefetch_related("read_roles", "write_roles")
    }
    for table, (readers, writers) in EXPECTED.items():
        assert seeded[table][0] - {"admin"} == readers, table
        assert seeded[table][1] - {"admin"} == writers, table
    audit = TableAccess.objects.get(table="sys_audit")
    assert not audit.writable and {role.name for role in audit.read_roles.all()} == {"admin"}


def test_a_table_without_a_rule_is_for_admin_only(client_for):
    assert "eq_test_record" in all_tables() and not TableAccess.objects.filter(table="eq_test_record").exists()

    assert client_for(CONTACT, LEADS, AGENT).get("/api/now/table/eq_test_record").status_code == 403
    assert client_for("admin").get("/api/now/table/eq_test_record").status_code == 200


def test_a_table_marked_not_writable_is_refused_to_admin_too(client_for):
    rule = TableAccess.objects.get(table="sn_prd_pm_uom")
    rule.writable = False
    rule.save()
    superuser = client_for(is_superuser=True)

    refused = superuser.post("/api/now/table/sn_prd_pm_uom", data="[1]", content_type="application/json")
    read = superuser.get("/api/now/table/sn_prd_pm_uom")

    assert refused.status_code == 403 and refused.json()["error"]["message"] == "Insufficient rights to create records"
    assert read.status_code == 200


def test_a_rule_changed_by_staff_applies_to_the_next_request(client_for):
    integrator = client_for(CONTACT)
    assert integrator.get("/api/now/table/customer_account").status_code == 200

    TableAccess.objects.get(table="customer_account").read_roles.remove(Role.objects.get(name=CONTACT))

    assert integrator.get("/api/now/table/customer_account").status_code == 403


def test_staff_see_and_edit_the_rules_in_the_admin(admin_client):
    rule = TableAccess.objects.get(table="awa_queue")
    agent = Role.objects.get(name=AGENT)

    listing = admin_client.get("/admin/core/tableaccess/")
    form = admin_client.get(f"/admin/core/tableaccess/{rule.pk}/change/")
    saved = admin_client.post(
        f"/admin/core/tableaccess/{rule.pk}/change/",
        {"table": "awa_queue", "read_roles": [agent.pk], "write_roles": [agent.pk], "writable": "on"},
    )

    assert listing.status_code == 200 and "awa_queue" in listing.content.decode()
    assert form.status_code == 200
    assert saved.status_code == 302
    assert set(rule.write_roles.values_list("name", flat=True)) == {AGENT}

"""The names of the platform's roles, as the platform spells them: the one place code names a
role. The catalogue itself is data (migration 0002 of this app creates it; staff may add roles)."""

ADMIN = "admin"  # every right; a superuser has every role too
CSM_WS_INTEGRATION = "csm_ws_integration"  # the Contact API
INTERACTION_AGENT = "interaction_agent"  # the Interaction API
LEAD_INTEGRATOR = "sn_lead_mgmt_core.lead_integrator"  # the Lead API
CONTACT_CENTER_ADMIN = "contact_center_admin"  # the contact-center Contacts API, read and write
CONTACT_CENTER_AGENT = "contact_center_agent"  # the contact-center Contacts API, read only
IMPORT_TRANSFORMER = "import_transformer"  # the Import Set API (its staging tables' access rules name it)
CUSTOMER = "sn_customerservice.customer"  # a contact's own login: its account's rows (row rules)
CONSUMER = "sn_customerservice.consumer"  # a consumer's own login: its own rows (row rules)

"""Demo records of the contact-center directory (docs/contact-center-api.md), loaded by ``seed_demo``.

The users of the vendor document's filter example (Joe Johnson, ``joej``) and a few more
contact-center people, and Custom contacts including the document's ``Some Contact``.
Queue contacts are the queues of the interactions demo. Idempotent: records that exist
(by user name, by sys_id) are left as they are.
"""

from django.db import transaction

from contacts.models import CustomContact
from csm_project.core.access.role_names import CONTACT_CENTER_ADMIN, CONTACT_CENTER_AGENT
from csm_project.core.access.roles import user_grant_roles
from csm_project.core.models import User

DEMO_USERS = (
    # user_name, first, last, employee number, phone, role
    ("joej", "Joe", "Johnson", "EMP-1001", "+1 555 0100", CONTACT_CENTER_AGENT),
    ("maria.lopez", "Maria", "Lopez", "EMP-1002", "+1 555 0101", CONTACT_CENTER_AGENT),
    ("kenji.sato", "Kenji", "Sato", "EMP-1003", "+1 555 0102", CONTACT_CENTER_AGENT),
    ("amara.okafor", "Amara", "Okafor", "EMP-1004", "+1 555 0103", CONTACT_CENTER_ADMIN),
)

DEMO_CUSTOM_CONTACTS = (
    # fixed sys_ids, so a second run finds them and the examples can name them
    ("5a1c0e7fd0a63110f8770dbf976b0001", "Some Contact", "xxx-xxx-xxxx"),
    ("5a1c0e7fd0a63110f8770dbf976b0002", "Front Desk", "+1 555 0199"),
    ("5a1c0e7fd0a63110f8770dbf976b0003", "Facilities Hotline", "+1 555 0142"),
    ("5a1c0e7fd0a63110f8770dbf976b0004", "IT Service Desk", "+1 555 0150"),
    ("5a1c0e7fd0a63110f8770dbf976b0005", "After-hours Escalation", "+1 555 0177"),
)


@transaction.atomic
def load_directory(*, stdout) -> None:
    users = 0
    for user_name, first, last, employee_number, phone, role in DEMO_USERS:
        if User.objects.filter(user_name=user_name).exists():
            continue
        user = User.objects.create_user(
            user_name,
            None,  # directory people, not API callers: no usable password
            first_name=first,
            last_name=last,
            email=f"{user_name}@example.com",
            employee_number=employee_number,
            phone=phone,
        )
        user_grant_roles(user=user, roles=[role])
        users += 1
    custom = 0
    for sys_id, name, phone_number in DEMO_CUSTOM_CONTACTS:
        _, created = CustomContact.objects.get_or_create(
            sys_id=sys_id, defaults={"name": name, "phone_number": phone_number}
        )
        custom += created
    stdout.write(f"contact-center directory: {users} users and {custom} custom contacts created")

"""What a bulk load of contacts adds to the table's fields (``core.bulk``): social profile
columns. Registered for ``customer_contact`` (``ContactsConfig.ready``), so ``import_contacts``
and the admin's import page read them alike."""

from typing import Any

from contacts.api.serializers import SOCIAL_KEYS
from contacts.models import Contact
from contacts.services import SocialProfileRequest, social_profile_create, social_profile_problems
from csm_project.core.bulk.imports import Extension
from csm_project.core.errors import FieldError


class SocialProfiles(Extension):
    """``social_channel`` + ``social_handle`` + ``social_handle_url`` columns: a social profile
    for the contact, as the Contact API creates one."""

    columns = frozenset(SOCIAL_KEYS)

    def check(self, extra: dict[str, Any]) -> list[FieldError]:
        problems = social_profile_problems(SocialProfileRequest.from_fields(extra))
        return [FieldError(name, message) for name, messages in problems.items() for message in messages]

    def after_batch(self, records) -> None:
        requests = {sys_id: SocialProfileRequest.from_fields(extra) for sys_id, _, extra in records}
        requests = {sys_id: request for sys_id, request in requests.items() if request is not None}
        if not requests:
            return
        channels: dict = {}
        for sys_id, contact in Contact.objects.in_bulk(list(requests)).items():
            social_profile_create(contact=contact, request=requests[sys_id], channels=channels)

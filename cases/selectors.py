"""Reads of cases: one case by sys_id or number, and a case's activity stream."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from cases.models import CASE_TABLE, Case
from csm_project.attachments.models import Attachment
from csm_project.core.models import JournalEntry, SysAudit, is_sys_id

#: The journals of a case, in the order the activity stream lists them, with their colours.
JOURNAL_FIELDS = (("comments", "Additional comments", "transparent"), ("work_notes", "Work notes", "gold"))
ATTACHMENT = "attachment"


def case_find(case_id: str, cases: QuerySet | None = None) -> Case | None:
    """The case of ``cases`` (default: every case) whose sys_id, else whose number, is
    ``case_id``; None when no case, or when two cases share that number (a guess between them
    would be worse than no answer)."""
    cases = Case.objects.all() if cases is None else cases
    if is_sys_id(case_id):
        found = cases.filter(pk=case_id).first()
        if found is not None:
            return found
    if not case_id or len(case_id) > 40 or not case_id.isascii() or not case_id.isalnum():
        return None
    matches = list(cases.filter(number=case_id)[:2])
    return matches[0] if len(matches) == 1 else None


@dataclass(frozen=True)
class Activity:
    """One activity stream entry: a journal entry, a field change, or an attachment."""

    sys_id: str
    element: str
    created_on: datetime
    user_name: str
    value: str
    attachment: Attachment | None = None


def case_activities(case: Case, *, kinds: set[str] | None = None) -> list[Activity]:
    """The case's journal entries, audited field changes and attachments, newest first (ties
    by sys_id), of the ``kinds`` asked (element names; None: every kind)."""
    activities: list[Activity] = []
    wanted = lambda element: kinds is None or element in kinds  # noqa: E731
    journals = [name for name, _label, _colour in JOURNAL_FIELDS if wanted(name)]
    if journals:
        entries = JournalEntry.objects.filter(name=CASE_TABLE, element_id=case.pk, element__in=journals)
        for entry in entries:
            activities.append(Activity(entry.sys_id, entry.element, entry.sys_created_on, entry.sys_created_by,
                                       entry.value))  # fmt: skip
    audits = SysAudit.objects.filter(tablename=CASE_TABLE, documentkey=case.pk).exclude(
        fieldname__in=("sys_mod_count",)
    )
    for audit in audits:
        if wanted(audit.fieldname):
            value = audit.newvalue if not audit.oldvalue else f"{audit.oldvalue} -> {audit.newvalue}"
            activities.append(Activity(audit.sys_id, audit.fieldname, audit.sys_created_on, audit.user, value))
    if wanted(ATTACHMENT):
        for attachment in Attachment.objects.filter(table_name=CASE_TABLE, table_sys_id=case.pk):
            activities.append(Activity(attachment.sys_id, ATTACHMENT, attachment.sys_created_on,
                                       attachment.sys_created_by, attachment.file_name, attachment))  # fmt: skip
    activities.sort(key=lambda activity: (activity.created_on, activity.sys_id), reverse=True)
    return activities


def field_labels() -> dict[str, Any]:
    """Wire field name -> label, for the activity stream's ``field_label``."""
    labels = {name: label for name, label, _colour in JOURNAL_FIELDS}
    labels[ATTACHMENT] = "Attachment"
    for model_field in Case._meta.concrete_fields:
        labels.setdefault(model_field.name, str(model_field.verbose_name).capitalize())
    return labels

from collections.abc import Iterator

from contacts.api.serializers import READ_ONLY_KEYS, SOCIAL_KEYS, ContactInputSerializer
from contacts.services import ContactImportRow, SocialProfileRequest, contacts_import
from csm_project.core.import_command import ImportCommand
from csm_project.core.record_import import ImportResult, RowError, read_rows


def contact_rows(rows: Iterator[tuple[int, dict]]) -> Iterator[ContactImportRow | RowError]:
    """Each file row read with the Contact API's types; unreadable values and unknown columns are
    reported (a file's misspelled column is a mistake, unlike an API client's extra field).
    System columns (as ``export_records customer_contact`` writes them) are skipped, and so are
    empty cells."""
    known = set(ContactInputSerializer().fields)
    for line, record in rows:
        if "__error__" in record:
            yield RowError(line, None, record["__error__"])
            continue
        unknown = [key for key in record if key not in known and key not in READ_ONLY_KEYS]
        if unknown:
            for key in unknown:
                yield RowError(line, key, "customer_contact has no such field")
            continue
        # An empty cell means "not given": the field's default applies (a contact is active).
        given = {key: value for key, value in record.items() if key in known and value not in ("", None)}
        serializer = ContactInputSerializer(data=given)
        if not serializer.is_valid():
            for field, messages in serializer.errors.items():
                for message in messages:
                    yield RowError(line, field, str(message))
            continue
        fields = dict(serializer.validated_data)
        social = SocialProfileRequest.from_fields(fields)
        yield ContactImportRow(line, {key: value for key, value in fields.items() if key not in SOCIAL_KEYS}, social)


class Command(ImportCommand):
    help = (
        "Create CSM contacts from a CSV file (header row of field names) or JSON lines (one object "
        "per line), with the Contact API's field names, types and rules: references are sys_ids "
        "that must exist, user names must be free (in any case), social_channel + social_handle + "
        "social_handle_url create a social profile. System columns (sys_*, roles, last_login) are "
        "skipped, so the output of 'export_records customer_contact' loads back. All rows are "
        "checked; if any row is bad, every bad row is listed with its line number and NOTHING is "
        "written. Contacts get no usable password."
    )

    noun = "contacts"

    def run_import(self, stream, fmt, *, dry_run, progress, commit_each_batch=False, **options) -> ImportResult:
        return contacts_import(rows=contact_rows(read_rows(stream, fmt)), dry_run=dry_run, progress=progress,
                               commit_each_batch=commit_each_batch)

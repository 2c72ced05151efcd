"""Choice lists (``sys_choice``) as data: the APIs validate against what staff keep here
(the Lead API reads them in one query per request, see ``leads.processing``)."""

from csm_project.core.models import Choice


def choices_ensure(*, table: str, element: str, values: list[tuple[str, str]]) -> None:
    """Create the listed (value, label) choices that do not exist yet; keep staff edits."""
    existing = set(Choice.objects.filter(table=table, element=element).values_list("value", flat=True))
    Choice.objects.bulk_create(
        [
            Choice(table=table, element=element, value=value, label=label, sequence=index * 10,
                   sys_class_name=Choice.sys_table)
            for index, (value, label) in enumerate(values)
            if value not in existing
        ]
    )

"""Choice lists (``sys_choice``) as data: the APIs validate against what staff keep here
(the Lead API reads them in one query per request, see ``leads.processing``)."""

from collections.abc import Iterable

from django.db.models import Q

from csm_project.core.models import Choice


def choices_ensure(*, table: str, element: str, values: list[tuple[str, str]]) -> None:
    """Create the listed (value, label) choices that do not exist yet; keep staff edits."""
    existing = set(Choice.objects.filter(name=table, element=element).values_list("value", flat=True))
    Choice.objects.bulk_create(
        [
            Choice(
                name=table,
                element=element,
                value=value,
                label=label,
                sequence=index * 10,
                sys_class_name=Choice.sys_table,
            )
            for index, (value, label) in enumerate(values)
            if value not in existing
        ]
    )


def choice_labels(*, lists: Iterable[tuple[str, str]]) -> dict[tuple[str, str, str], str]:
    """Labels of the choice lists named by (table, element) pairs, keyed (table, element, value);
    one query whatever the number of lists."""
    wanted = set(lists)
    if not wanted:
        return {}
    condition = Q()
    for table, element in wanted:
        condition |= Q(name=table, element=element)
    rows = Choice.objects.filter(condition).values_list("name", "element", "value", "label")
    return {(table, element, value): label for table, element, value, label in rows}

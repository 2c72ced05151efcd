"""System properties, read at request time so a change by staff takes effect at once."""

from csm_project.core.models import SystemProperty

INVALID_QUERY_RETURNS_NO_ROWS = "glide.invalid_query.returns_no_rows"

_TRUE = {"true", "1", "yes"}


def property_value(name: str, default: str | None = None) -> str | None:
    value = SystemProperty.objects.filter(name=name).values_list("value", flat=True).first()
    return default if value is None else value


def property_bool(name: str, default: bool = False) -> bool:
    value = property_value(name)
    if value is None:
        return default
    return value.strip().lower() in _TRUE


def property_set(name: str, value: str, *, type: str = SystemProperty.Type.STRING) -> SystemProperty:
    prop, created = SystemProperty.objects.get_or_create(name=name, defaults={"value": value, "type": type})
    if not created and prop.value != value:
        prop.value = value
        prop.save()
    return prop

"""`sysparm_fields` for API views: the rules live in ``csm_project.core.field_paths`` (selectors
and the Lead API's processing classes use them too); API modules import them from here or there."""

from csm_project.core.field_paths import (
    FieldPath,
    read_field,
    requested_fields,
    resolve_requested_fields,
    select_related_paths,
)

__all__ = ["FieldPath", "read_field", "requested_fields", "resolve_requested_fields", "select_related_paths"]

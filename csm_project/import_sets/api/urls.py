"""``/api/now[/v1]/import/{staging_table}[/insertMultiple|/{sys_id}]``."""

from django.urls import re_path

from csm_project.api.routing import VERSION_SEGMENT
from csm_project.import_sets.api.views import ImportMultipleView, ImportOneView, ImportRowView

_BASE = rf"^now/{VERSION_SEGMENT}import/(?P<staging_table>[^/]+)"

urlpatterns = [
    re_path(rf"{_BASE}/?$", ImportOneView.as_view(), name="import-set-insert"),
    re_path(rf"{_BASE}/insertMultiple/?$", ImportMultipleView.as_view(), name="import-set-insert-multiple"),
    re_path(rf"{_BASE}/(?P<sys_id>[^/]+)/?$", ImportRowView.as_view(), name="import-set-row"),
]

"""``/api/now/stats/{table}`` and ``/api/now/v1/stats/{table}``."""

from django.urls import re_path

from csm_project.aggregate_api.views import StatsView
from csm_project.api.routing import VERSION_SEGMENT

urlpatterns = [re_path(rf"^now/{VERSION_SEGMENT}stats/(?P<table>[^/]+)/?$", StatsView.as_view(), name="stats")]

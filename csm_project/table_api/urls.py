"""``/api/now/table/{table}[/{sys_id}]``, also under ``/api/now/v1/`` and ``/api/now/v2/``."""

from django.urls import include, path

from csm_project.api.routing import PlatformRouter
from csm_project.table_api.views import TableViewSet

now = PlatformRouter()
now.register(r"table/(?P<table>[^/]+)", TableViewSet, basename="table")

urlpatterns = [path("now/", include(now.urls))]

"""``/api/now/batch`` and ``/api/now/v1/batch``."""

from django.urls import re_path

from csm_project.api.routing import VERSION_SEGMENT
from csm_project.batch_api.views import BatchView

urlpatterns = [re_path(rf"^now/{VERSION_SEGMENT}batch/?$", BatchView.as_view(), name="batch")]

"""``/api/sn_lead_mgmt_core/lead`` and ``/api/sn_lead_mgmt_core/v1/lead`` (docs/platform.md)."""

from django.urls import include, path

from csm_project.api.routing import PlatformRouter
from leads.api.views import LeadViewSet

lead_mgmt = PlatformRouter()
lead_mgmt.register("lead", LeadViewSet, basename="lead")

urlpatterns = [path("sn_lead_mgmt_core/", include(lead_mgmt.urls))]

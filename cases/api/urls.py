"""``/api/sn_customerservice/case`` and ``/api/sn_customerservice/v1/case`` (docs/case-api.md)."""

from django.urls import include, path

from cases.api.views import CaseViewSet
from csm_project.api.routing import PlatformRouter

customer_service = PlatformRouter()
customer_service.register("case", CaseViewSet, basename="case")

urlpatterns = [path("sn_customerservice/", include(customer_service.urls))]

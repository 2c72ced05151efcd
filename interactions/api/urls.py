"""URLs of the Interaction API: ``/api/now/interaction`` and ``/api/now/v1/interaction``."""

from django.urls import include, path

from csm_project.api.routing import PlatformRouter
from interactions.api.views import InteractionViewSet

now = PlatformRouter()
now.register("interaction", InteractionViewSet, basename="interaction")

urlpatterns = [path("now/", include(now.urls))]

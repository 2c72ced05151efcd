"""Base classes for API views, and the answer for URLs under ``/api/`` that name nothing."""

from rest_framework import viewsets
from rest_framework.views import APIView

from csm_project.api.errors import CONTACT_CENTER, NOW, UnknownResource
from csm_project.api.permissions import IsAuthenticatedUser
from csm_project.api.versioning import PlatformVersioning
from csm_project.core.actor import reset_actor, set_actor


class ActsAsRequestUser:
    """Writes made while handling the request are stamped with the authenticated user."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._actor_token = set_actor(request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        token = getattr(self, "_actor_token", None)
        if token is not None:
            reset_actor(token)
            self._actor_token = None
        return super().finalize_response(request, response, *args, **kwargs)


class NowAPIView(ActsAsRequestUser, APIView):
    """An ``/api/now``-family endpoint (also the Lead API): versioned, ``now`` envelope."""

    api_family = NOW
    versioning_class = PlatformVersioning


class NowViewSet(ActsAsRequestUser, viewsets.GenericViewSet):
    api_family = NOW
    versioning_class = PlatformVersioning
    lookup_value_regex = "[^/]+"  # a malformed id reaches the view and is a 404 envelope


class ContactCenterViewSet(ActsAsRequestUser, viewsets.GenericViewSet):
    api_family = CONTACT_CENTER
    lookup_value_regex = "[^/]+"


class UnknownResourceView(APIView):
    """Any URL under ``/api/`` that names no endpoint: 401 without credentials, else 404."""

    permission_classes = [IsAuthenticatedUser]
    api_family = NOW
    schema = None  # not an operation: left out of the OpenAPI document

    def _answer(self, request, *args, **kwargs):
        raise UnknownResource()

    get = post = put = patch = delete = head = options = _answer


class UnknownContactCenterResourceView(UnknownResourceView):
    api_family = CONTACT_CENTER


def server_error(request, *args, **kwargs):
    """Django's 500 handler: the API envelope under ``/api/``, the stock page elsewhere."""
    from django.http import JsonResponse
    from django.views.defaults import server_error as default_server_error

    if request.path.startswith("/api/v2/contacts"):
        return JsonResponse({"statusCode": 4, "statusMessage": "Internal server error"}, status=500)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"message": "Internal server error", "detail": None}, "status": "failure"}, status=500
        )
    return default_server_error(request)

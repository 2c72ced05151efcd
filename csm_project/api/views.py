"""Base classes for API views, and the answer for URLs under ``/api/`` that name nothing."""

from rest_framework import viewsets
from rest_framework.views import APIView

from csm_project.api.errors import (
    CONTACT_CENTER,
    NOW,
    RecordNotFound,
    UnknownResource,
    domain_api_error,
    error_body,
    internal_error,
)
from csm_project.api.permissions import IsAuthenticatedUser
from csm_project.api.versioning import PlatformVersioning
from csm_project.core.access.actor import reset_actor, set_actor
from csm_project.core.errors import DomainError
from csm_project.core.models import is_sys_id


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


class ChecksRecordId:
    """A record id in the URL that is not a sys_id names no record: the 404 envelope, after the
    credential and role checks and before the view runs. So no view, service or query ever sees
    an id holding a NUL character (which PostgreSQL refuses), a 10 kB string or odd Unicode."""

    lookup_value_regex = "[^/]+"  # any malformed id reaches this check

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        name = self.lookup_url_kwarg or self.lookup_field
        if name in kwargs and not self.names_a_record(kwargs[name]):
            raise self.record_not_found()

    def names_a_record(self, value: str) -> bool:
        """Whether the URL's id can name a record: a sys_id (a view may accept more)."""
        return is_sys_id(value)

    def record_not_found(self) -> Exception:
        return RecordNotFound()


class AnswersRefusals:
    """The one refusal hook: the exception handler answers a ``DomainError`` raised while
    handling the request (but an unknown record, the family's 404) with ``refusal``. An API
    that words refusals its own way overrides it; no view catches ``DomainError`` itself."""

    def refusal(self, error: DomainError) -> Exception:
        return domain_api_error(error, self.api_family)


class NowAPIView(AnswersRefusals, ActsAsRequestUser, APIView):
    """An ``/api/now``-family endpoint (also the Lead API): versioned, ``now`` envelope."""

    api_family = NOW
    versioning_class = PlatformVersioning


class NowViewSet(AnswersRefusals, ChecksRecordId, ActsAsRequestUser, viewsets.GenericViewSet):
    api_family = NOW
    versioning_class = PlatformVersioning


class ContactCenterViewSet(AnswersRefusals, ChecksRecordId, ActsAsRequestUser, viewsets.GenericViewSet):
    api_family = CONTACT_CENTER


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

    if not request.path.startswith("/api/"):
        return default_server_error(request)
    family = CONTACT_CENTER if request.path.startswith("/api/v2/contacts") else NOW
    return JsonResponse(error_body(family, internal_error(), request.method), status=500)

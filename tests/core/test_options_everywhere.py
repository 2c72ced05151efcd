"""``OPTIONS`` on every URL pattern of the project (APIs and admin) is never a server error.

The URLs are generated from the URL configuration itself, so a pattern added later is walked
too; the test fails if any pattern is left without a generated URL.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from rest_framework.test import APIClient

from csm_project.core.models import new_sys_id
from tests.conftest import basic_auth

SYS_ID = new_sys_id()
# Values tried, in order, for a URL parameter until the URL resolves back to its pattern.
PARAMETER_VALUES = {
    "version": ["v1"],
    "table": ["customer_contact"],
    "app_label": ["core", "contacts", "interactions", "leads", "auth"],
    "upload": ["0b7a3c52-8d4e-4f7e-9a0a-1c2d3e4f5a6b"],  # an admin import upload (a UUID)
}
FALLBACK_VALUES = [SYS_ID, "1", "x"]


def pattern_routes(resolver: URLResolver = None, prefix: str = "") -> set[str]:
    """The full route (``ResolverMatch.route``) of every URL pattern, walking included ones."""
    resolver = resolver or get_resolver()
    routes = set()
    for entry in resolver.url_patterns:
        route = str(entry.pattern)
        route = prefix + route.removeprefix("^") if prefix else route  # as Django joins them
        if isinstance(entry, URLPattern):
            routes.add(route)
        else:
            routes |= pattern_routes(entry, route)
    return routes


def reversible_paths(resolver: URLResolver = None, prefix: str = "") -> set[str]:
    """One concrete path for every way each named or unnamed view can be reversed."""
    resolver = resolver or get_resolver()
    paths = set()
    for key, possibilities in resolver.reverse_dict.lists():
        if isinstance(key, str):
            continue  # the same views by name: their callables cover them
        for bits, *_ in possibilities:
            for template, parameters in bits:
                path = concrete("/" + prefix + template, parameters)
                if path is not None:
                    paths.add(path)
    for namespace_prefix, child in resolver.namespace_dict.values():
        paths |= reversible_paths(child, prefix + namespace_prefix)
    # Catch-alls that the patterns above shadow for the reversed paths.
    return paths | {"/api/v2/contacts/x/y", "/api/nothing/here"}


def concrete(template: str, parameters: list[str]) -> str | None:
    """``template`` filled with parameter values that make it resolve; None if none do."""

    def attempts(names: list[str], chosen: dict):
        if not names:
            yield template % chosen
            return
        for value in PARAMETER_VALUES.get(names[0], FALLBACK_VALUES):
            yield from attempts(names[1:], {**chosen, names[0]: value})

    for path in attempts(list(parameters), {}):
        try:
            resolve(path)
        except Resolver404:
            continue
        return path
    return None


def test_every_url_pattern_gets_a_generated_path():
    covered = {resolve(path).route for path in reversible_paths()}

    assert pattern_routes() - covered == set()


@pytest.fixture
def clients(client_for) -> dict[str, APIClient]:
    admin = client_for(is_superuser=True, is_staff=True)
    session = APIClient()
    session.force_login(admin.user)
    agent = APIClient()
    agent.credentials(HTTP_AUTHORIZATION=basic_auth(client_for("contact_center_agent").user.user_name))
    return {"superuser": admin, "staff session": session, "agent": agent, "anonymous": APIClient()}


def test_options_on_every_url_is_never_a_server_error(clients):
    failures = []
    for path in sorted(reversible_paths()):
        for who, client in clients.items():
            response = client.options(path)
            if response.status_code >= 500:
                failures.append((path, who, response.status_code))
            elif path.startswith("/api"):
                body = response.json()
                in_envelope = {"error", "status"} <= set(body) or {"statusCode", "statusMessage"} <= set(body)
                if not 400 <= response.status_code < 500 or not in_envelope:
                    failures.append((path, who, response.status_code, body))

    assert failures == []


def test_options_on_an_api_endpoint_is_the_405_envelope(clients):
    for path in (
        "/api/now/interaction",
        f"/api/now/interaction/{SYS_ID}/close",
        "/api/sn_lead_mgmt_core/lead",
        f"/api/sn_lead_mgmt_core/v1/lead/{SYS_ID}",
        "/api/now/contact",
    ):
        response = clients["superuser"].options(path)

        assert response.status_code == 405, path
        assert response.json() == {
            "error": {
                "message": "Method not Supported",
                "detail": "Requested method OPTIONS is not supported by this resource",
            },
            "status": "failure",
        }
    response = clients["superuser"].options("/api/v2/contacts")
    assert response.status_code == 405
    assert response.json()["statusCode"] == 2

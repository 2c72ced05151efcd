"""The OpenAPI document of every API, generated from the code by drf-spectacular (docs/openapi.md).

The plumbing describes itself, so a new endpoint built from the base classes is documented
without a schema of its own:

- the authentication class: HTTP Basic as the security scheme (``PlatformBasicScheme``);
- each error family (the view's ``api_family``): its envelope as a component and as the answer
  to every error status an endpoint can give (``PlatformAutoSchema``);
- pagination classes: their query parameters (``get_schema_operation_parameters``), their body
  (``get_paginated_response_schema``), their headers (``get_schema_response_headers``) and the
  statuses a page may have besides 200 (``schema_page_statuses``, the Lead API's 206);
- the versioning class: each versioned route appears at its default URL and under its default
  version (``/api/now/contact`` and ``/api/now/v1/contact``), see ``platform_endpoints``;
- path variables the URL pattern cannot type (a table name) from the view's
  ``openapi_path_parameters``;
- error statuses an operation gives besides the usual ones (``openapi_extra_errors``).

Shapes that are not DRF serializers (plain functions for speed, or bodies read by hand) are
described by serializer classes next to the code that makes them (``openapi_schema()``,
see ``SelfDescribingSerializer``).
"""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, get_class

from csm_project.api.errors import CONTACT_CENTER, NOW

# Components of the two error envelopes, by family.
ERROR_COMPONENTS: dict[str, tuple[str, dict[str, Any]]] = {
    NOW: (
        "Error",
        {
            "type": "object",
            "description": "The error envelope of the /api/now and Lead APIs.",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "message": {"type": "string"},
                        "detail": {
                            "description": "Why, as text; the Lead API lists its validation errors as "
                            "single-key objects (field -> message); null when there is nothing to add.",
                            "nullable": True,
                            "anyOf": [
                                {"type": "string"},
                                {
                                    "type": "array",
                                    "items": {"type": "object", "additionalProperties": {"type": "string"}},
                                },
                                {"type": "object"},
                            ],
                        },
                    },
                    "required": ["message", "detail"],
                },
                "status": {"type": "string", "enum": ["failure"]},
            },
            "required": ["error", "status"],
        },
    ),
    CONTACT_CENTER: (
        "ContactCenterError",
        {
            "type": "object",
            "description": "The contact-center envelope: statusCode 1 missing parameter, 2 invalid "
            "parameter, 3 forbidden, 4 internal error, 5 no permission, 6 not found, 20 not authenticated.",
            "properties": {
                "statusCode": {"type": "integer", "enum": [1, 2, 3, 4, 5, 6, 20]},
                "statusMessage": {"type": "string"},
            },
            "required": ["statusCode", "statusMessage"],
            "additionalProperties": False,
        },
    ),
}

_ERROR_DESCRIPTIONS = {
    "400": "Invalid request: a parameter, the body or the API version",
    "401": "No or wrong credentials (the WWW-Authenticate header names the Basic realm)",
    "403": "The caller lacks the role this operation needs, or the record may not be changed",
    "404": "No such record",
    "406": "The Accept header asks for a format the operation cannot produce",
    "411": "A body sent without Content-Length to a server that cannot tell where such a body ends",
    "414": "The request line (method, path and query) is longer than the instance accepts",
    "415": "The Content-Type of the body is not one the operation reads",
    "429": "Too many failed sign-ins for this user name: retry after the Retry-After seconds",
    "500": "An unexpected fault (logged; no stack trace in the answer)",
    "503": "The database or the file store cannot serve the request now (unreachable, a deadlock, a lock or "
    "statement timeout, read-only): retry after the Retry-After seconds",
    "507": "No space left in the database or the file store; nothing was written",
}


class PlatformBasicScheme(OpenApiAuthenticationExtension):
    target_class = "csm_project.api.authentication.PlatformBasicAuthentication"
    name = "basicAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "basic", "description": "HTTP Basic: the user name and password."}


class SelfDescribingSerializer(OpenApiSerializerExtension):
    """A serializer that is not a field list (``BaseSerializer`` shaping rows by hand, for speed or
    for an exact wire shape) describes itself with a classmethod ``openapi_schema(direction)``;
    its component is named ``openapi_name`` (default: the class name without ``Serializer``)."""

    target_class = "rest_framework.serializers.BaseSerializer"
    match_subclasses = True
    priority = 1

    @classmethod
    def _matches(cls, target) -> bool:
        return super()._matches(target) and hasattr(get_class(target), "openapi_schema")

    def get_name(self, auto_schema, direction):
        target = get_class(self.target)
        return getattr(target, "openapi_name", None) or target.__name__.removesuffix("Serializer")

    def map_serializer(self, auto_schema, direction):
        # A copy: the generator's hooks edit component schemas in place.
        return copy.deepcopy(get_class(self.target).openapi_schema(direction))


def string_object(keys, *, required: bool = True, description: str = "") -> dict[str, Any]:
    """An object whose listed keys all hold strings (the Contact and Table API records)."""
    schema: dict[str, Any] = {"type": "object", "properties": {key: {"type": "string"} for key in keys}}
    if required:
        schema["required"] = list(keys)
    if description:
        schema["description"] = description
    return schema


class PlatformAutoSchema(AutoSchema):
    """AutoSchema that adds what the platform's plumbing declares (see the module docstring)."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            operation["responses"].update(
                {
                    code: response
                    for code, response in self._error_responses().items()
                    if code not in operation["responses"]
                }
            )
        return operation

    def _resolve_path_parameters(self, variables):
        """A view may describe a path variable itself: ``openapi_path_parameters`` maps its name
        to a schema, or to a callable returning one (``{"table": lambda: {"type": "string",
        "enum": table_names()}}`` for a viewset over many tables)."""
        declared = getattr(self.view, "openapi_path_parameters", {})
        parameters = super()._resolve_path_parameters([name for name in variables if name not in declared])
        for name in variables:
            if name in declared:
                schema = declared[name]() if callable(declared[name]) else declared[name]
                parameters.append({"in": "path", "name": name, "required": True, "schema": copy.deepcopy(schema)})
        return parameters

    def get_tags(self) -> list[str]:
        tag = getattr(self.view, "openapi_tag", None)
        return [tag] if tag else super().get_tags()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        paginator = self._get_paginator()
        if paginator is not None and self._is_list_view() and "200" in responses:
            for code, description in getattr(paginator, "schema_page_statuses", {}).items():
                responses.setdefault(code, {**responses["200"], "description": description})
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        paginator = self._get_paginator()
        if (
            paginator is not None
            and self.method == "GET"
            and self._is_list_view()
            and str(status_code).startswith("2")
            and hasattr(paginator, "get_schema_response_headers")
        ):
            headers.update(paginator.get_schema_response_headers())
        if str(status_code) == "429":
            headers["Retry-After"] = {"schema": {"type": "string"}, "description": "Seconds until sign-in is allowed"}
        if str(status_code) == "503":
            headers["Retry-After"] = {"schema": {"type": "string"}, "description": "Seconds to wait before retrying"}
        if str(status_code) == "401":
            headers["WWW-Authenticate"] = {
                "schema": {"type": "string"},
                "description": 'Basic realm="<realm>"',
            }
        return headers

    def _error_responses(self) -> dict[str, dict]:
        family = getattr(self.view, "api_family", NOW)
        name, schema = ERROR_COMPONENTS[family]
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=copy.deepcopy(schema)
        )
        self.registry.register_on_missing(component)
        codes = ["400", "401", "403", "406", "414", "429", "500", "503", "507"]
        if "{" in self.path:
            codes.append("404")
        # Error statuses an operation adds (``openapi_extra_errors``, by action or method: an
        # upload naming a record that does not exist is a 404 though its URL has no id).
        action = getattr(self.view, "action", None) or self.method.lower()
        extra = getattr(self.view, "openapi_extra_errors", {}).get(action, ())
        codes.extend(code for code in extra if code not in codes)
        if self.method in ("POST", "PUT", "PATCH"):
            codes.extend(["411", "415"])
        media_types = self.map_renderers("media_type")
        responses = {}
        for code in sorted(codes):
            responses[code] = {
                "description": _ERROR_DESCRIPTIONS[code],
                "content": {media_type: {"schema": component.ref} for media_type in media_types},
            }
            headers = self._get_response_headers_for_code(code)
            if headers:
                responses[code]["headers"] = headers
        return responses


def platform_endpoints(endpoints: list[tuple]) -> list[tuple]:
    """drf-spectacular preprocessing hook: paths as clients write them, and versioned copies.

    The router accepts an optional trailing slash and an optional ``v<N>/`` segment in one URL
    pattern; the document lists the path without the slash, then the same operation under
    ``{version}/`` (the generator fills in each supported version).
    """
    result = []
    for path, path_regex, method, callback in endpoints:
        plain = path.rstrip("/") or "/"
        result.append((plain, path_regex, method, callback))
        if "(?P<version>" in path_regex and "{version}" not in plain:
            # The segment sits after the include's prefix, whichever side of it the anchor is
            # (a router's ``^(?:(?P<version>...`` or a ``re_path(r"^now/(?:(?P<version>...")``).
            prefix = path_regex.partition("(?:(?P<version>")[0].replace("^", "")
            prefix_path = "/" + prefix
            result.append((plain.replace(prefix_path, prefix_path + "{version}/", 1), path_regex, method, callback))
    return result

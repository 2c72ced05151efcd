"""One permission class: the roles a view declares, deny by default (docs/platform.md). A view
whose rights are data rather than code declares ``access_allowed(request) -> bool`` instead."""

from rest_framework.permissions import BasePermission


def roles_for(view, method: str) -> tuple[str, ...]:
    """The roles that admit ``method`` on ``view``: any one of them suffices.

    ``required_roles`` is either a tuple (every method) or a dict of method -> tuple with an
    optional ``"*"`` fallback. A view that declares nothing admits nobody.
    """
    declared = getattr(view, "required_roles", None)
    if isinstance(declared, dict):
        return tuple(declared.get(method, declared.get("*", ())))
    return tuple(declared or ())


class HasRequiredRole(BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False  # DRF turns this into 401 when no credentials were given
        if getattr(view, request.method.lower(), None) is None:
            return True  # the view does not serve this method: let dispatch answer 405
        access_allowed = getattr(view, "access_allowed", None)
        if access_allowed is not None:  # rights kept as data (the Table API's table access rules)
            return access_allowed(request)
        return any(user.has_role(role) for role in roles_for(view, request.method))


class IsAuthenticatedUser(BasePermission):
    """Only for views that serve no data (the unknown-URL answer)."""

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated)

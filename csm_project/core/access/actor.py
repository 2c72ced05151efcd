"""Who is acting: the user name written to sys_created_by / sys_updated_by.

A context variable, not a thread-local, so it is right under threads and async alike. Web
requests set it from the authenticated user (ActorMiddleware for session users, the API base
view for Basic-authenticated ones); management commands and shells act as ``system``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

SYSTEM = "system"

_actor: ContextVar[tuple[str, object | None]] = ContextVar("csm_actor", default=(SYSTEM, None))


def current_actor_name() -> str:
    return _actor.get()[0]


def current_actor_user():
    """The acting User, or None when the system acts."""
    return _actor.get()[1]


@contextmanager
def acting_as(user) -> Iterator[None]:
    """Run the block as ``user`` (a User, or None for the system)."""
    name = user.user_name if user is not None and getattr(user, "is_authenticated", False) else SYSTEM
    token = _actor.set((name, user if name != SYSTEM else None))
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(user):
    """Set the actor until ``reset_actor(token)``; for code that cannot use a with-block."""
    name = user.user_name if user is not None and getattr(user, "is_authenticated", False) else SYSTEM
    return _actor.set((name, user if name != SYSTEM else None))


def reset_actor(token) -> None:
    _actor.reset(token)


class ActorMiddleware:
    """Acts as the session user for the rest of the request (the admin, the browsable API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        with acting_as(user):
            return self.get_response(request)

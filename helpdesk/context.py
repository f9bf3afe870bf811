"""Who is acting and from where, for the audit trail, without passing the request into services.

The web middleware fills it per request; Celery tasks and management commands set their own source.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class ActionContext:
    source: str = "system"
    ip: str | None = None
    request_id: str = ""


_current: ContextVar[ActionContext] = ContextVar("claimdesk_action_context", default=ActionContext())  # noqa: B039 (frozen)


def current() -> ActionContext:
    return _current.get()


@contextlib.contextmanager
def acting_from(context: ActionContext) -> Iterator[ActionContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


@contextlib.contextmanager
def without_address() -> Iterator[ActionContext]:
    """The current context minus the client's address: what anonymous reporters and appellants do is
    audited, but their IP is not kept (they are known only by a keyed hash, PIPL's data minimisation)."""
    with acting_from(replace(current(), ip=None)) as anonymous:
        yield anonymous

"""Generic access to the application's components: the TUI reads attributes and calls methods, nothing more.

Components are found by name (`application.get("satellite_manager")`); a missing component, attribute or method is
reported as `NotAvailable` with a message the view shows instead of crashing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
from typing import Any

from trixy_core.application_protocol import TrixyApplication


class NotAvailable(Exception):
    """A component or method the view needs is not (yet) provided by the running application."""


def component(application: TrixyApplication, name: str) -> Any:
    """The component called `name`, or None (works with `Application.get` and plain attributes)."""
    getter = getattr(application, "get", None)
    if callable(getter):
        try:
            found = getter(name)
        except Exception:  # a component lookup must never crash a view
            found = None
        if found is not None:
            return found
    try:
        return getattr(application, name, None)
    except Exception:
        return None


def require(application: TrixyApplication, name: str) -> Any:
    """The component called `name`; `NotAvailable` when the application has none."""
    found = component(application, name)
    if found is None:
        raise NotAvailable(f"component '{name}' is not available in this application")
    return found


def method(target: Any, *names: str) -> Any:
    """The first callable attribute of `target` among `names`; `NotAvailable` naming them when none exists."""
    for name in names:
        candidate = getattr(target, name, None)
        if callable(candidate):
            return candidate
    owner = type(target).__name__
    raise NotAvailable(f"{owner}.{names[0]}() is not available yet")


def attr(target: Any, *path: str, default: Any = None) -> Any:
    """`target.a.b` for `attr(target, "a", "b")`, or `default` when any step is missing or raises."""
    value = target
    for name in path:
        if value is None:
            return default
        try:
            value = value.get(name) if isinstance(value, dict) else getattr(value, name)
        except Exception:  # properties of live objects may raise while they change state
            return default
    return default if value is None else value


async def settle(result: Any) -> Any:
    """Wait for whatever a component method returned: a coroutine, an asyncio future or a concurrent future."""
    if isinstance(result, concurrent.futures.Future):
        return await asyncio.wrap_future(result)
    if inspect.isawaitable(result):
        return await result
    return result


async def invoke(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a component method (sync or async, returning a future or not) and wait for its result."""
    return await settle(function(*args, **kwargs))

"""The event handler: the centre of Trixy. Everything is triggered through it and plugins react to it.

`trigger(name, data)` starts dispatching at once and returns an awaitable (an `asyncio.Task` on the loop's own
thread, a `concurrent.futures.Future` from any other thread): await it to collect an `EventOutcome`, or ignore it
(fire and forget; `emit()` says so explicitly). Handlers run one after the other by priority (highest first, then in
subscription order). `async def` handlers run on the loop; plain handlers run in the handler's worker threads so a
slow one never blocks the loop. A handler that raises is logged with its owner and an `"error"` event is raised;
the others still run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import itertools
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from trixy_core.errors import EventError
from trixy_core.events import names
from trixy_core.events.contract import EventContract, UndeclaredSubscription
from trixy_core.events.data import ErrorEvent, conversation_id_of
from trixy_core.events.decorator import bindings_of, decorated_handlers
from trixy_core.events.history import EventHistory, EventRecord, summarise
from trixy_core.events.names import normalise_event_name, normalise_pattern, pattern_matches
from trixy_core.events.subscription import STOP_PROPAGATION, EventOutcome, HandlerResult, Subscription

logger = logging.getLogger(__name__)

Handler = Callable[[str, Any], Any]


class EventHandler:
    """Subscribe handlers to event names or patterns and dispatch events to them (thread-safe)."""

    def __init__(self, *, history_size: int = 500, max_workers: int = 8) -> None:
        self._subscriptions: list[Subscription] = []
        self._lock = threading.RLock()
        self._cache: dict[str, tuple[Subscription, ...]] = {}
        self._muted: frozenset[str] = frozenset()
        #: owners whose events wait until `release` (a plugin inside on_load): delivered late, never lost
        self._held: dict[str, list[tuple[str, Any]]] = {}
        self._sequence = itertools.count()
        self._max_workers = max(1, max_workers)
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pending: set[asyncio.Future[Any]] = set()
        self._closed = False
        self.history = EventHistory(history_size)
        self.contract = EventContract()
        self._reported: set[tuple[str, str]] = set()

    # -- subscribing -------------------------------------------------------------------------------------------

    def subscribe(
        self,
        pattern: str,
        handler: Handler,
        *,
        priority: int = 0,
        owner: str = "",
        threaded: bool = True,
    ) -> Subscription:
        """Call `handler(event_name, event_data)` for every event matching `pattern` (a name, `"x *"` or `"*"`)."""
        if not callable(handler):
            raise EventError(f"handler for {pattern!r} is not callable: {handler!r}")
        try:
            normal = normalise_pattern(pattern)
        except (TypeError, ValueError) as exc:
            raise EventError(str(exc)) from exc
        sub = Subscription(
            pattern=normal,
            handler=handler,
            priority=int(priority),
            owner=owner,
            threaded=threaded,
            is_async=inspect.iscoroutinefunction(handler)
            or inspect.iscoroutinefunction(getattr(handler, "__call__", None)),  # noqa: B004
            sequence=next(self._sequence),
            _remove=self.unsubscribe,
        )
        with self._lock:
            self._subscriptions.append(sub)
            self._cache.clear()
        return sub

    def unsubscribe(self, subscription: Subscription) -> bool:
        """Remove one subscription; True when it was subscribed."""
        with self._lock:
            try:
                self._subscriptions.remove(subscription)
            except ValueError:
                return False
            subscription.active = False
            self._cache.clear()
            return True

    def unsubscribe_owner(self, owner: str) -> int:
        """Remove every subscription of `owner` (a plugin being unloaded); returns how many."""
        with self._lock:
            keep = [s for s in self._subscriptions if s.owner != owner]
            gone = [s for s in self._subscriptions if s.owner == owner]
            for sub in gone:
                sub.active = False
            self._subscriptions = keep
            self._cache.clear()
            self._reported = {r for r in self._reported if r[0] != owner}  # a reloaded plugin is checked afresh
        return len(gone)

    def subscribe_decorated(self, target: object, owner: str = "") -> list[Subscription]:
        """Subscribe every `@TrixyEvent` handler of `target`: an object's methods, a module's functions, or a function."""
        subs: list[Subscription] = []
        for func in decorated_handlers(target):
            for binding in bindings_of(func):
                for pattern in binding.patterns:
                    subs.append(
                        self.subscribe(
                            pattern, func, priority=binding.priority, owner=owner, threaded=binding.threaded
                        )
                    )
        return subs

    # -- the declared-events contract ----------------------------------------------------------------------------

    def declare_events(self, owner: str, events: Iterable[str]) -> frozenset[str]:
        """Record that `owner` raises `events` (exact names), so subscriptions to them are not reported."""
        return self.contract.declare(owner, events)

    def check_subscriptions(self, owner: str | None = None) -> list[UndeclaredSubscription]:
        """Report subscriptions (of `owner`, or all) to exact names nobody declares: a warning each, once."""
        found: list[UndeclaredSubscription] = []
        for sub in self.subscriptions(owner):
            problem = self.contract.check(sub.owner, sub.pattern)
            if problem is None:
                continue
            found.append(problem)
            if (problem.owner, problem.event) not in self._reported:
                self._reported.add((problem.owner, problem.event))
                logger.warning("%s", problem.message())
        return found

    def mute(self, owner: str) -> None:
        """Stop delivering events to `owner` (a disabled plugin) without forgetting its subscriptions."""
        with self._lock:
            self._muted = self._muted | {owner}

    def unmute(self, owner: str) -> None:
        """Deliver events to `owner` again."""
        with self._lock:
            self._muted = self._muted - {owner}

    def hold(self, owner: str) -> None:
        """Keep `owner`'s events until :meth:`release` (a plugin whose on_load() has not returned yet)."""
        with self._lock:
            self._held.setdefault(owner, [])
            self._muted = self._muted | {owner}

    async def release(self, owner: str) -> int:
        """Deliver the events held for `owner`, in order, then deliver its events as they come; returns how many."""
        delivered = 0
        while True:
            with self._lock:
                waiting = self._held.get(owner, [])
                if not waiting:
                    self._held.pop(owner, None)
                    self._muted = self._muted - {owner}
                    return delivered
                self._held[owner] = []
            for name, data in waiting:
                await self.dispatch(name, data, only_owner=owner)
                delivered += 1

    def drop_held(self, owner: str) -> None:
        """Forget `owner`'s held events (its on_load() failed; it stays muted)."""
        with self._lock:
            self._held.pop(owner, None)

    def is_muted(self, owner: str) -> bool:
        """Whether `owner` is muted."""
        return owner in self._muted

    def subscriptions(self, owner: str | None = None) -> list[Subscription]:
        """Current subscriptions (of one owner when given), in dispatch order."""
        with self._lock:
            subs = list(self._subscriptions)
        subs.sort(key=lambda s: (-s.priority, s.sequence))
        return [s for s in subs if owner is None or s.owner == owner]

    def matching(self, event_name: str) -> tuple[Subscription, ...]:
        """The subscriptions an event would reach, in dispatch order (muted owners included)."""
        normal = normalise_event_name(event_name)
        cached = self._cache.get(normal)
        if cached is not None:
            return cached
        with self._lock:
            subs = [s for s in self._subscriptions if pattern_matches(s.pattern, normal)]
            subs.sort(key=lambda s: (-s.priority, s.sequence))
            unique: list[Subscription] = []
            for sub in subs:  # one handler subscribed to two matching patterns still runs once per event
                if not any(u.handler == sub.handler and u.owner == sub.owner for u in unique):
                    unique.append(sub)
            result = tuple(unique)
            self._cache[normal] = result
        return result

    # -- triggering --------------------------------------------------------------------------------------------

    def bind_loop(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Remember the application's loop so other threads can trigger events onto it."""
        self._loop = loop or asyncio.get_running_loop()

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The loop events are dispatched on (set by `bind_loop` or the first trigger on a loop)."""
        return self._loop

    def trigger(self, name: str, data: Any = None) -> asyncio.Future[EventOutcome] | concurrent.futures.Future[EventOutcome]:
        """Start dispatching `name` now; returns an awaitable with the `EventOutcome` (ignore it to fire and forget).

        On the loop's thread it returns an `asyncio.Task`; from another thread a `concurrent.futures.Future`
        (call `.result()`), the event being dispatched on the bound loop.
        """
        if self._closed:
            raise EventError(f"event {name!r} triggered after the event handler was closed")
        normal = normalise_event_name(name)
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None:
            if self._loop is None:
                self._loop = running
            task = running.create_task(self.dispatch(normal, data), name=f"trixy-event:{normal}")
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
            return task
        loop = self._loop
        if loop is None or loop.is_closed() or not loop.is_running():
            raise EventError(
                f"event {name!r} triggered from a thread with no running application loop; "
                "start the application first (or call bind_loop())"
            )
        return asyncio.run_coroutine_threadsafe(self._dispatch_tracked(normal, data), loop)

    def emit(self, name: str, data: Any = None) -> None:
        """Fire and forget: dispatch `name` without waiting (from the loop or from any thread)."""
        self.trigger(name, data)

    async def _dispatch_tracked(self, name: str, data: Any) -> EventOutcome:
        task = asyncio.current_task()
        if task is not None:
            self._pending.add(task)
        try:
            return await self.dispatch(name, data)
        finally:
            if task is not None:
                self._pending.discard(task)

    async def dispatch(self, name: str, data: Any = None, *, only_owner: str | None = None) -> EventOutcome:
        """Run the handlers of `name` now, in this task, and return the outcome (what `await trigger()` gives).

        Consecutive plain (threaded) handlers run as one batch in one worker thread, in order, so 100 plain
        subscribers cost one thread hop, not 100.
        """
        normal = normalise_event_name(name)
        started = time.perf_counter()
        outcome = EventOutcome(normal, data)
        muted = self._muted
        subs = []
        for sub in self.matching(normal):
            if not sub.active or (only_owner is not None and sub.owner != only_owner):
                continue
            if sub.owner and sub.owner in muted and only_owner is None:
                with self._lock:
                    waiting = self._held.get(sub.owner)
                    if waiting is not None and (not waiting or waiting[-1][1] is not data or waiting[-1][0] != normal):
                        waiting.append((normal, data))  # held: delivered by release(), once per event
                continue
            subs.append(sub)
        index = 0
        while index < len(subs) and not outcome.stopped:
            sub = subs[index]
            if sub.threaded and not sub.is_async:
                end = index
                while end < len(subs) and subs[end].threaded and not subs[end].is_async:
                    end += 1
                batch = subs[index:end]
                index = end
                loop = asyncio.get_running_loop()
                results = await loop.run_in_executor(self._get_executor(), _run_batch, batch, normal, data)
                for batch_sub, value, error in results:
                    if error is None and inspect.isawaitable(value):
                        try:
                            value = await value
                        except asyncio.CancelledError:
                            raise
                        except Exception as exc:  # a plugin bug must not stop the others
                            value, error = None, exc
                    self._record(outcome, normal, data, batch_sub, value, error)
                continue
            index += 1
            try:
                value = await sub.handler(normal, data) if sub.is_async else sub.handler(normal, data)
                if inspect.isawaitable(value):
                    value = await value
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a plugin bug must not stop the others
                self._record(outcome, normal, data, sub, None, exc)
                continue
            self._record(outcome, normal, data, sub, value, None)
        self.history.add(
            EventRecord(
                name=normal,
                timestamp=time.time(),
                summary=summarise(data),
                conversation_id=conversation_id_of(data),
                handlers=len(outcome.results),
                errors=len(outcome.errors),
                duration_s=time.perf_counter() - started,
            )
        )
        return outcome

    def _record(
        self, outcome: EventOutcome, name: str, data: Any, sub: Subscription, value: Any, error: Exception | None
    ) -> None:
        if error is not None:
            outcome.results.append(HandlerResult(sub.owner, sub.name, None, error))
            self._report_failure(name, data, sub, error)
        elif value is STOP_PROPAGATION:
            outcome.results.append(HandlerResult(sub.owner, sub.name, None, None))
            outcome.stopped = True
        else:
            outcome.results.append(HandlerResult(sub.owner, sub.name, value, None))

    def _report_failure(self, name: str, data: Any, sub: Subscription, exc: Exception) -> None:
        owner = sub.owner or "<core>"
        logger.error(
            "event handler %s of %s raised on event %r: %s: %s",
            sub.name,
            owner,
            name,
            type(exc).__name__,
            exc,
            exc_info=exc,
        )
        if name == names.ERROR or self._closed:
            return  # never raise an error about an error handler: that could loop forever
        error = ErrorEvent(
            message=f"{type(exc).__name__}: {exc}",
            owner=owner,
            event_name=name,
            exception_type=type(exc).__name__,
            traceback="".join(traceback.format_exception(exc)),
            conversation_id=conversation_id_of(data),
        )
        self.trigger(names.ERROR, error)

    async def run_in_worker(self, func: Callable[..., Any], *args: Any) -> Any:
        """Run blocking `func(*args)` in the handler's worker threads (closed with the handler, none left behind)."""
        return await asyncio.get_running_loop().run_in_executor(self._get_executor(), func, *args)

    def _get_executor(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = concurrent.futures.ThreadPoolExecutor(
                        max_workers=self._max_workers, thread_name_prefix="trixy-event"
                    )
        return self._executor

    # -- lifecycle ---------------------------------------------------------------------------------------------

    @property
    def pending(self) -> int:
        """How many dispatches are still running."""
        return len(self._pending)

    async def drain(self, wait_s: float | None = None) -> None:
        """Wait until every running dispatch (including ones they trigger) has finished."""
        deadline = None if wait_s is None else time.monotonic() + wait_s
        while self._pending:
            current = asyncio.current_task()
            waiting = [t for t in self._pending if t is not current]
            if not waiting:
                return
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            done, _ = await asyncio.wait(waiting, timeout=left)
            if not done and left is not None and left <= 0:
                return

    async def close(self, wait_s: float = 5.0) -> None:
        """Finish (or after `wait_s` cancel) running dispatches and stop the worker threads."""
        await self.drain(wait_s)
        self._closed = True
        current = asyncio.current_task()
        leftovers = [t for t in self._pending if t is not current]
        for task in leftovers:
            task.cancel()
        if leftovers:
            await asyncio.wait(leftovers, timeout=1.0)
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=not leftovers, cancel_futures=True)

    @property
    def closed(self) -> bool:
        """True after `close()`."""
        return self._closed


def _run_batch(
    subs: list[Subscription], name: str, data: Any
) -> list[tuple[Subscription, Any, Exception | None]]:
    """Run plain handlers one after the other in a worker thread; stops after one returns STOP_PROPAGATION."""
    results: list[tuple[Subscription, Any, Exception | None]] = []
    for sub in subs:
        if not sub.active:
            continue
        try:
            value = sub.handler(name, data)
        except Exception as exc:  # reported on the loop by the caller
            results.append((sub, None, exc))
            continue
        results.append((sub, value, None))
        if value is STOP_PROPAGATION:
            break
    return results

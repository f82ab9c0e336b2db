"""`ScheduleManager`: runs named schedules (time and event triggers; event, training and function actions).

Trigger arithmetic (cron, interval, dates, time zones) is APScheduler 3.x's; the run loop is ours, driven by an
injectable clock so tests fire schedules with a faked time and no waiting. Definitions live in schedules.json (the
config folder; rewritten only when a definition is edited), the run state (last run, error, next run, count) and the
app's own schedules (timers) in the state file (`ScheduleStore`), saved after every run, so they survive a restart.

A training action starts a run in the background and gets its outcome future back at once; the scheduler watches it
and records a failure in the schedule's `last_error` when the run ends, hours later if need be.

Misfire rule: runs of a time-based schedule that were due while Trixy was stopped (or the loop was late) are
coalesced into ONE run, made at start, when the latest missed run is at most `misfire_grace_s` old; otherwise they
are skipped (logged) and the schedule continues with its next regular time. A schedule never overlaps itself: a trigger
that fires while its previous run is still going is skipped.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import inspect
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import tzlocal

from trixy_core.errors import ScheduleError
from trixy_core.events import names
from trixy_core.events.data import ScheduleFinished, ScheduleTriggered
from trixy_core.events.handler import EventHandler
from trixy_core.events.names import pattern_matches
from trixy_core.events.subscription import Subscription
from trixy_core.scheduler.actions import ActionSpec
from trixy_core.scheduler.schedule import Schedule
from trixy_core.scheduler.store import ScheduleStore
from trixy_core.scheduler.triggers import with_interval_start

logger = logging.getLogger(__name__)

OWNER = "scheduler"
TrainerRunner = Callable[[str, dict[str, Any]], Any]
MAX_SLEEP_S = 30.0
MAX_COALESCE_STEPS = 10_000


class ScheduleManager:
    """Holds the schedules, persists them, and fires them on time or on events."""

    def __init__(
        self,
        event_handler: EventHandler,
        path: Path,
        *,
        state_path: Path | None = None,
        functions: Mapping[str, Callable[..., Any]] | None = None,
        trainer_runner: TrainerRunner | None = None,
        misfire_grace_s: float = 3600.0,
        timezone: tzinfo | str | None = None,
        clock: Callable[[], datetime] | None = None,
        enabled: bool = True,
    ) -> None:
        self.event_handler = event_handler
        self.enabled = enabled
        """False (config `scheduler.enabled`): schedules are loaded and editable but never fire."""
        self.store = ScheduleStore(Path(path), state_path)
        self.functions: Mapping[str, Callable[..., Any]] = functions if functions is not None else {}
        self.trainer_runner = trainer_runner
        self.misfire_grace_s = misfire_grace_s
        if isinstance(timezone, str) and timezone:
            from zoneinfo import ZoneInfo

            timezone = ZoneInfo(timezone)
        self.tz: tzinfo = timezone if isinstance(timezone, tzinfo) else tzlocal.get_localzone()
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(self.tz))
        self._schedules: dict[str, Schedule] = {}
        self.problems: list[str] = []
        self._subscription: Subscription | None = None
        self._loop_task: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Event | None = None
        self._runs: set[asyncio.Task[Any]] = set()
        self._watchers: set[asyncio.Task[None]] = set()

    # -- persistence -------------------------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The definitions file (schedules.json in the config folder)."""
        return self.store.path

    @property
    def state_path(self) -> Path:
        """The run-state file (git-ignored state folder)."""
        return self.store.state_path

    def load(self) -> None:
        """Read the definitions and the state file (missing = none). Invalid entries are reported in `problems`."""
        self._schedules = {s.name: s for s in self.store.load(self.tz)}
        self.problems = list(self.store.problems)

    def save(self) -> None:
        """Write the run state (and the app's own schedules) to the state file; the definitions file is untouched."""
        self.store.save_state(list(self._schedules.values()))

    # -- editing -----------------------------------------------------------------------------------------------

    @property
    def schedules(self) -> list[Schedule]:
        """All valid schedules, in file order."""
        return list(self._schedules.values())

    def get(self, name: str) -> Schedule | None:
        """The schedule called `name`, or None."""
        return self._schedules.get(name)

    def add(
        self, definition: Mapping[str, Any] | Schedule, *, replace: bool = False, runtime: bool | None = None
    ) -> Schedule:
        """Validate and add a schedule (JSON form or `Schedule`), compute its next run and save.

        `runtime=True` marks a schedule the app makes for itself (a timer): it is kept in the state file, not in the
        shipped schedules file. None keeps what a replaced schedule was (an edit in the TUI does not move it).
        """
        now = self.clock()
        if isinstance(definition, Schedule):
            definition = definition.to_dict()
        data = dict(definition)
        if isinstance(data.get("triggers"), list):
            data["triggers"] = [with_interval_start(t, now) if isinstance(t, dict) else t for t in data["triggers"]]
        data.pop("state", None)
        schedule = Schedule.from_dict(data, self.tz)
        if schedule.name in self._schedules and not replace:
            raise ScheduleError(f"a schedule named '{schedule.name}' already exists (remove it or replace it)")
        old = self._schedules.get(schedule.name)
        schedule.runtime = bool(runtime) if runtime is not None else bool(old is not None and old.runtime)
        if old is not None:
            schedule.last_triggered, schedule.last_duration_s = old.last_triggered, old.last_duration_s
            schedule.last_error, schedule.runs = old.last_error, old.runs
        schedule.next_run = schedule.next_fire(now) if schedule.enabled else None
        self._schedules[schedule.name] = schedule
        self._changed(definitions=not schedule.runtime or (old is not None and not old.runtime))
        return schedule

    def remove(self, name: str) -> None:
        """Delete a schedule and save."""
        removed = self._schedules.pop(name, None)
        if removed is None:
            raise ScheduleError(f"no schedule named '{name}'")
        self._changed(definitions=not removed.runtime)

    def set_enabled(self, name: str, enabled: bool) -> Schedule:
        """Enable or disable a schedule (persisted); enabling computes the next run from now."""
        schedule = self._require(name)
        schedule.enabled = bool(enabled)
        schedule.next_run = schedule.next_fire(self.clock()) if enabled else None
        self._changed(definitions=not schedule.runtime)
        return schedule

    def _require(self, name: str) -> Schedule:
        schedule = self._schedules.get(name)
        if schedule is None:
            raise ScheduleError(f"no schedule named '{name}'")
        return schedule

    def _changed(self, *, definitions: bool) -> None:
        if definitions:
            self.store.save_definitions(list(self._schedules.values()))
        self.save()
        self._resubscribe()
        if self._wakeup is not None:
            self._wakeup.set()

    # -- running -----------------------------------------------------------------------------------------------

    async def start(self, *, run_loop: bool = True) -> None:
        """Load, make up missed runs (misfire rule), subscribe event triggers and start the timing loop."""
        self.load()
        if not self.enabled:
            logger.info("scheduler disabled by configuration: %d schedule(s) loaded, none will run", len(self._schedules))
            return
        self._resubscribe()
        await self.run_due(self.clock())
        self.save()
        if run_loop:
            self._wakeup = asyncio.Event()
            self._loop_task = asyncio.get_running_loop().create_task(self._run_loop(), name="trixy-scheduler")

    async def close(self) -> None:
        """Stop the loop, wait for running schedules (briefly), unsubscribe, save."""
        if self._loop_task is not None:
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
            self._loop_task = None
        if self._runs:
            await asyncio.wait(list(self._runs), timeout=5)
            for task in self._runs:
                task.cancel()
        for watcher in list(self._watchers):  # a training outlives us in its thread; we stop listening for it
            watcher.cancel()
        if self._subscription is not None:
            self._subscription.cancel()
            self._subscription = None
        self.save()

    async def _run_loop(self) -> None:
        assert self._wakeup is not None
        while True:
            now = self.clock()
            await self.run_due(now)
            upcoming = [s.next_run for s in self._schedules.values() if s.enabled and s.next_run is not None]
            delay = MAX_SLEEP_S
            if upcoming:
                delay = min(MAX_SLEEP_S, max(0.01, (min(upcoming) - self.clock()).total_seconds()))
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), delay)

    async def run_due(self, now: datetime | None = None) -> list[str]:
        """Fire every enabled schedule whose next run is due at `now` (misfire rule applied); returns their names."""
        now = now or self.clock()
        fired: list[str] = []
        changed = False
        for schedule in list(self._schedules.values()):
            if not schedule.enabled:
                continue
            if schedule.next_run is None:
                schedule.next_run = schedule.next_fire(now)
                changed = changed or schedule.next_run is not None
                continue
            if schedule.next_run > now:
                continue
            due = self._latest_missed(schedule, schedule.next_run, now)
            late_s = (now - due).total_seconds()
            schedule.next_run = schedule.next_fire(now + timedelta(microseconds=1))
            changed = True
            if late_s > self.misfire_grace_s:
                logger.warning(
                    "schedule '%s': run due %s was missed by %.0f s (> misfire grace %.0f s); skipped",
                    schedule.name,
                    due.isoformat(),
                    late_s,
                    self.misfire_grace_s,
                )
                continue
            trigger = next((t for t in schedule.triggers if t.next_fire(due) == due), None)
            await self.fire(schedule.name, trigger.describe() if trigger else "time", due)
            fired.append(schedule.name)
        if changed and not fired:
            self.save()
        return fired

    @staticmethod
    def _latest_missed(schedule: Schedule, first_due: datetime, now: datetime) -> datetime:
        """The last fire time at or before `now` (several missed runs coalesce into the latest one)."""
        latest = first_due
        for _ in range(MAX_COALESCE_STEPS):
            following = schedule.next_fire(latest + timedelta(microseconds=1))
            if following is None or following > now:
                return latest
            latest = following
        return now  # a very frequent schedule: its latest miss is as good as now

    async def run_now(self, name: str) -> Schedule:
        """Run a schedule's actions immediately (the TUI's "run now"), whether enabled or not."""
        await self.fire(name, "manual", None)
        return self._require(name)

    async def fire(self, name: str, trigger: str, scheduled_for: datetime | None) -> bool:
        """Run one schedule: raise `schedule triggered`, run the actions in order, record, raise `schedule finished`."""
        schedule = self._require(name)
        if schedule.running:
            logger.warning("schedule '%s' is still running; trigger %s skipped", name, trigger)
            return False
        schedule.running = True
        schedule.last_triggered = self.clock()
        started = time.perf_counter()
        errors: list[str] = []
        background: list[tuple[str, concurrent.futures.Future[Any]]] = []
        try:
            await self.event_handler.trigger(
                names.SCHEDULE_TRIGGERED,
                ScheduleTriggered(name, trigger, scheduled_for.timestamp() if scheduled_for else None),
            )
            for index, action in enumerate(schedule.actions, start=1):
                try:
                    result = await self._run_action(action)
                    if isinstance(result, concurrent.futures.Future):
                        background.append((f"action {index} ({action.describe()})", result))
                except Exception as exc:
                    message = f"action {index} ({action.describe()}): {type(exc).__name__}: {exc}"
                    errors.append(message)
                    logger.error("schedule '%s' %s", name, message)
        finally:
            schedule.running = False
            schedule.last_duration_s = time.perf_counter() - started
            schedule.last_error = "; ".join(errors)
            schedule.runs += 1
            self.save()
        for what, future in background:
            self._watch(schedule, schedule.runs, what, future)
        await self.event_handler.trigger(
            names.SCHEDULE_FINISHED, ScheduleFinished(name, schedule.last_duration_s, not errors, errors)
        )
        return True

    def _watch(self, schedule: Schedule, run: int, what: str, future: concurrent.futures.Future[Any]) -> None:
        """Record the end of a background run (a training) in the schedule that started it."""

        async def watch() -> None:
            try:
                await asyncio.wrap_future(future)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                message = f"{what}: failed in the background: {type(exc).__name__}: {exc}"
                logger.error("schedule '%s' %s", schedule.name, message)
                if self._schedules.get(schedule.name) is schedule and schedule.runs == run:
                    schedule.last_error = "; ".join(part for part in (schedule.last_error, message) if part)
                    self.save()
                else:
                    logger.info("schedule '%s' ran again since; the failure is only logged", schedule.name)

        task = asyncio.get_running_loop().create_task(watch(), name=f"trixy-schedule-watch:{schedule.name}")
        self._watchers.add(task)
        task.add_done_callback(self._watchers.discard)

    async def _run_action(self, action: ActionSpec) -> Any:
        spec = action.spec
        if action.kind == "event":
            outcome = await self.event_handler.trigger(spec["event"], dict(spec.get("data") or {}))
            return outcome
        if action.kind == "training":
            if self.trainer_runner is None:
                raise ScheduleError("no trainer runner is registered (is trixy-trainer installed and started?)")
            result = self.trainer_runner(spec["trainer"], dict(spec.get("params") or {}))
            return await result if inspect.isawaitable(result) else result
        function = self.functions.get(spec["function"])
        if function is None:
            known = ", ".join(sorted(self.functions)) or "none"
            raise ScheduleError(f"no internal function named '{spec['function']}' (registered: {known})")
        kwargs = dict(spec.get("args") or {})
        if inspect.iscoroutinefunction(function):
            return await function(**kwargs)
        result = await self.event_handler.run_in_worker(functools.partial(function, **kwargs))
        return await result if inspect.isawaitable(result) else result

    # -- event triggers ----------------------------------------------------------------------------------------

    def _resubscribe(self) -> None:
        wanted = self.enabled and any(s.enabled and s.event_triggers() for s in self._schedules.values())
        if wanted and self._subscription is None:
            self._subscription = self.event_handler.subscribe("*", self._on_event, owner=OWNER, priority=-1000)
        elif not wanted and self._subscription is not None:
            self._subscription.cancel()
            self._subscription = None

    async def _on_event(self, event_name: str, data: Any) -> None:
        for schedule in list(self._schedules.values()):
            if not schedule.enabled:
                continue
            if event_name in (names.SCHEDULE_TRIGGERED, names.SCHEDULE_FINISHED) and getattr(data, "name", None) == schedule.name:
                continue  # a schedule never re-triggers itself through its own events
            for trigger in schedule.event_triggers():
                if trigger.event_pattern and pattern_matches(trigger.event_pattern, event_name):
                    task = asyncio.get_running_loop().create_task(
                        self.fire(schedule.name, trigger.describe(), None), name=f"trixy-schedule:{schedule.name}"
                    )
                    self._runs.add(task)
                    task.add_done_callback(self._runs.discard)
                    break

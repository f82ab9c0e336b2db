"""Timers: "set a timer for five minutes", "cancel the timer", "how much time is left".

A timer is a one-shot runtime schedule in the core scheduler (a date trigger whose action raises `timer finished`),
kept in the scheduler's state file (not the shipped config/schedules.json), so it survives a restart and fires on the
scheduler's (injectable) clock. When it fires, the plugin says "Your 5 minute timer is done" on the satellite that
asked, and removes the schedule.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from trixy_core.errors import ScheduleError
from trixy_core.events import TrixyEvent, names
from trixy_core.events.data import IntentReceived, SayRequested, ScheduleFinished
from trixy_core.plugins import TrixyPlugin

from .durations import seconds_from_slots, short_duration, spoken_duration

logger = logging.getLogger(__name__)

TIMER_FINISHED = "timer finished"
PREFIX = "timer-"


class TimerPlugin(TrixyPlugin):
    """Sets, lists and cancels timers per satellite through `application.scheduler`."""

    version = "1.0.0"
    description = "Kitchen timers, announced on the satellite that set them."
    raises_events = (TIMER_FINISHED, names.SAY)
    """`timer finished` is raised by the scheduler, from the action this plugin schedules."""

    def on_load(self) -> None:
        """Timers need the scheduler; without one, the plugin answers that timers are unavailable."""
        self.scheduler = self.application.get("scheduler")

    # -- timers ------------------------------------------------------------------------------------------------

    def timers(self, satellite_id: str | None = None) -> list[Any]:
        """Pending timer schedules (of one satellite, when given), soonest first."""
        if self.scheduler is None:
            return []
        found = [s for s in self.scheduler.schedules if s.name.startswith(PREFIX) and s.next_run is not None]
        if satellite_id is not None:
            found = [s for s in found if self._data(s).get("satellite_id", "") == satellite_id]
        return sorted(found, key=lambda s: s.next_run)

    @staticmethod
    def _data(schedule: Any) -> dict[str, Any]:
        for action in schedule.actions:
            if action.kind == "event":
                return dict(action.spec.get("data") or {})
        return {}

    def set_timer(self, seconds: float, satellite_id: str, conversation_id: str | None = None) -> Any:
        """Add a timer schedule firing in `seconds`; returns the schedule."""
        if self.scheduler is None:
            raise ScheduleError("timers need the scheduler, and this application has none")
        limit = float(self.config.get("max_duration_s", 86400))
        if not 0 < seconds <= limit:
            raise ScheduleError(f"a timer must last between 1 second and {limit:g} seconds, got {seconds:g}")
        timer_id = uuid.uuid4().hex[:8]
        at = self.scheduler.clock() + timedelta(seconds=seconds)
        return self.scheduler.add(
            {
                "name": f"{PREFIX}{timer_id}",
                "description": f"{spoken_duration(seconds)} timer for satellite {satellite_id or '?'}",
                "triggers": [{"type": "date", "at": at.isoformat()}],
                "actions": [
                    {
                        "type": "event",
                        "event": TIMER_FINISHED,
                        "data": {
                            "timer_id": timer_id,
                            "satellite_id": satellite_id,
                            "conversation_id": conversation_id,
                            "duration_s": seconds,
                        },
                    }
                ],
            },
            runtime=True,  # a timer is runtime state: the state file, never the shipped schedules.json
        )

    # -- events ------------------------------------------------------------------------------------------------

    @TrixyEvent([names.INTENT_RECEIVED])
    async def on_intent(self, event_name: str, event_data: IntentReceived) -> None:
        """SetTimer / CancelTimer / TimerStatus."""
        if event_data.intent not in ("SetTimer", "CancelTimer", "TimerStatus"):
            return
        satellite = event_data.satellite_id
        if event_data.intent == "SetTimer":
            seconds = seconds_from_slots(event_data.slots)
            self.set_timer(seconds, satellite, event_data.conversation_id)
            text = str(self.config.get("set_reply", "Timer set for {duration}")).format(duration=spoken_duration(seconds))
        elif event_data.intent == "CancelTimer":
            pending = self.timers(satellite)
            for schedule in pending:
                self.scheduler.remove(schedule.name)
            text = str(self.config.get("cancel_reply" if pending else "none_reply"))
        else:
            pending = self.timers(satellite)
            if pending:
                left = (pending[0].next_run - self.scheduler.clock()).total_seconds()
                text = f"{spoken_duration(max(1.0, left))} left"
            else:
                text = str(self.config.get("none_reply", "There is no timer running"))
        await self._say(text, event_data.conversation_id, satellite)

    async def _say(self, text: str, conversation_id: str | None, satellite_id: str) -> None:
        conversation = self.application.conversations.get(conversation_id)
        if conversation is not None and conversation.is_open:
            await conversation.say(text, source=self.name)
            await conversation.end("answered")
        else:
            await self.trigger(names.SAY, SayRequested(text, satellite_id=satellite_id, source=self.name))

    @TrixyEvent([TIMER_FINISHED])
    async def on_timer_finished(self, event_name: str, event_data: dict[str, Any]) -> None:
        """Announce the timer on the satellite that set it (a new utterance, outside any conversation)."""
        data = event_data if isinstance(event_data, dict) else {}
        duration = float(data.get("duration_s", 0) or 0)
        text = str(self.config.get("done_reply", "Your {duration} timer is done")).format(duration=short_duration(duration))
        logger.info("timer %s done on satellite %s", data.get("timer_id"), data.get("satellite_id"))
        await self.trigger(names.SAY, SayRequested(text, satellite_id=str(data.get("satellite_id", "")), source=self.name))

    @TrixyEvent([names.SCHEDULE_FINISHED])
    def on_schedule_finished(self, event_name: str, event_data: ScheduleFinished) -> None:
        """A fired timer's schedule is spent: remove it."""
        name = getattr(event_data, "name", "")
        if self.scheduler is not None and name.startswith(PREFIX) and self.scheduler.get(name) is not None:
            self.scheduler.remove(name)

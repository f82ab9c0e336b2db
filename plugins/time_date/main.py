"""Time and date: answers "what time is it" / "what's the date" in words espeak-ng reads naturally."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from trixy_core.events import TrixyEvent, names
from trixy_core.events.data import IntentReceived, SayRequested
from trixy_core.plugins import TrixyPlugin

logger = logging.getLogger(__name__)


def describe_time(now: datetime, template: str) -> str:
    """Fill the time template: {hour12} {hour} {minute} {ampm}."""
    hour12 = now.hour % 12 or 12
    return template.format(hour12=hour12, hour=now.hour, minute=now.minute, ampm="AM" if now.hour < 12 else "PM")


def describe_date(now: datetime, template: str) -> str:
    """Fill the date template: {weekday} {month} {day} {year}."""
    return template.format(weekday=now.strftime("%A"), month=now.strftime("%B"), day=now.day, year=now.year)


class TimeDatePlugin(TrixyPlugin):
    """Handles `GetTime` and `GetDate`; `clock` can be replaced (tests, or a scheduler's clock)."""

    version = "1.0.0"
    description = "Says the current time or date."
    raises_events = (names.SAY,)

    def on_load(self) -> None:
        """Use the scheduler's clock when there is one, so its time zone applies."""
        scheduler = self.application.get("scheduler")
        self.clock: Callable[[], datetime] = getattr(scheduler, "clock", None) or (lambda: datetime.now().astimezone())

    @TrixyEvent([names.INTENT_RECEIVED])
    async def on_intent(self, event_name: str, event_data: IntentReceived) -> None:
        """Answer and close the conversation."""
        if event_data.intent == "GetTime":
            text = describe_time(self.clock(), str(self.config.get("time_format", "It is {hour12}:{minute:02d} {ampm}")))
        elif event_data.intent == "GetDate":
            text = describe_date(
                self.clock(), str(self.config.get("date_format", "Today is {weekday}, {month} {day}, {year}"))
            )
        else:
            return
        conversation = self.application.conversations.get(event_data.conversation_id)
        if conversation is None:
            await self.trigger(names.SAY, SayRequested(text, satellite_id=event_data.satellite_id, source=self.name))
            return
        await conversation.say(text, source=self.name)
        await conversation.end("answered")

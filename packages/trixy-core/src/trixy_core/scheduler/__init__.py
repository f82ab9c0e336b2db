"""Scheduler: named schedules with time and event triggers and event/training/function actions."""

from trixy_core.scheduler.actions import ACTION_TYPES, ActionSpec, parse_action
from trixy_core.scheduler.manager import ScheduleManager, TrainerRunner
from trixy_core.scheduler.schedule import Schedule
from trixy_core.scheduler.triggers import TRIGGER_TYPES, WEEKDAYS, TriggerSpec, parse_trigger

__all__ = [
    "ACTION_TYPES",
    "TRIGGER_TYPES",
    "WEEKDAYS",
    "ActionSpec",
    "Schedule",
    "ScheduleManager",
    "TrainerRunner",
    "TriggerSpec",
    "parse_action",
    "parse_trigger",
]

"""`ScheduleStore`: schedule definitions in the config file, run state in a separate, git-ignored state file.

The definitions file (`config/schedules.json`) is configuration a person writes and the repo ships; it is rewritten
only when a definition changes (the TUI adds, removes, enables or disables one), never because a schedule ran. What
running produces (last run, its error, next run, run count) and the schedules the app makes for itself (timers) go
to the state file (`<paths.state>/schedules.json`, default `state/schedules.json`). A definitions file written
before the state file existed still loads: its `state` blocks are read, and the state file wins once it has an entry.
"""

from __future__ import annotations

import logging
import time
from datetime import tzinfo
from pathlib import Path
from typing import Any

from trixy_core.errors import ScheduleError
from trixy_core.jsonfile import JsonFileError, read_json, write_json_atomic
from trixy_core.scheduler.schedule import Schedule

logger = logging.getLogger(__name__)

STATE_FORMAT = 1


def default_state_path(path: Path) -> Path:
    """`schedules.state.json` beside the definitions: for a manager built without an explicit state file."""
    return path.with_name(f"{path.stem}.state{path.suffix or '.json'}")


class ScheduleStore:
    """Reads and writes the two files; keeps invalid entries so that saving never drops what a person wrote."""

    def __init__(self, path: Path, state_path: Path | None = None) -> None:
        self.path = Path(path)
        self.state_path = Path(state_path) if state_path is not None else default_state_path(self.path)
        self.invalid: list[Any] = []
        """Entries of the definitions file that did not validate: written back untouched."""
        self.invalid_runtime: list[Any] = []
        self.problems: list[str] = []

    # -- reading -----------------------------------------------------------------------------------------------

    def load(self, tz: tzinfo) -> list[Schedule]:
        """The schedules of both files, in order (definitions first), with their run state applied."""
        self.invalid, self.invalid_runtime, self.problems = [], [], []
        schedules: dict[str, Schedule] = {}
        if self.path.exists():
            for entry in self._definitions_entries():
                schedule = self._parse(entry, tz, schedules, self.path)
                if schedule is None:
                    self.invalid.append(entry)
                else:
                    schedules[schedule.name] = schedule
        state = self._read_state()
        for entry in state.get("runtime_schedules") or []:
            schedule = self._parse(entry, tz, schedules, self.state_path)
            if schedule is None:
                self.invalid_runtime.append(entry)
                continue
            schedule.runtime = True
            schedules[schedule.name] = schedule
        stored = state.get("state")
        if isinstance(stored, dict):
            for name, values in stored.items():
                if name in schedules:
                    schedules[name].apply_state(values)
        return list(schedules.values())

    def _definitions_entries(self) -> list[Any]:
        try:
            data = read_json(self.path)
        except (JsonFileError, OSError) as exc:
            raise ScheduleError(f"cannot read schedules: {exc}") from exc
        entries = data.get("schedules") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ScheduleError(f"{self.path}: expected an object with a 'schedules' list")
        return entries

    def _parse(self, entry: Any, tz: tzinfo, known: dict[str, Schedule], where: Path) -> Schedule | None:
        try:
            schedule = Schedule.from_dict(entry, tz)
            if schedule.name in known:
                raise ScheduleError(f"schedule '{schedule.name}' is defined twice")
        except ScheduleError as exc:
            self.problems.append(f"{where}: {exc}")
            logger.error("%s: %s (kept in the file, not run)", where, exc)
            return None
        return schedule

    def _read_state(self) -> dict[str, Any]:
        """The state file's content; a damaged one is moved aside (kept for a person to look at) and ignored."""
        if not self.state_path.exists():
            return {}
        try:
            data = read_json(self.state_path)
            if not isinstance(data, dict):
                raise JsonFileError(f"{self.state_path}: the top level must be a JSON object")
        except (JsonFileError, OSError) as exc:
            aside = self.state_path.with_name(f"{self.state_path.name}.damaged-{int(time.time())}")
            try:
                self.state_path.replace(aside)
            except OSError:
                aside = self.state_path
            logger.error("schedule state unreadable (%s); kept as %s, schedules start without their run state",
                         exc, aside)
            self.problems.append(f"{self.state_path}: {exc}")
            return {}
        return data

    # -- writing -----------------------------------------------------------------------------------------------

    def save_definitions(self, schedules: list[Schedule]) -> None:
        """Rewrite the definitions file (its mode kept): the configured schedules and the invalid entries."""
        entries = [s.definition() for s in schedules if not s.runtime] + list(self.invalid)
        write_json_atomic(self.path, {"schedules": entries})

    def save_state(self, schedules: list[Schedule]) -> None:
        """Write every schedule's run state and the app's own schedules to the state file."""
        write_json_atomic(self.state_path, {
            "format": STATE_FORMAT,
            "state": {s.name: s.state_dict() for s in schedules},
            "runtime_schedules": [s.definition() for s in schedules if s.runtime] + list(self.invalid_runtime),
        })

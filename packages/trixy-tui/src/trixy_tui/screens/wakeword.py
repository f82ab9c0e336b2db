"""Client F3 (standalone F7) Wakeword: the wake-word and voice-recognition models in use, the last wake word and
speaker, a button that triggers the wake word by hand, and the kept detections and near misses
(`audio.keep_detections`, `audio.keep_near_misses`) to sort into the trainer's folders: a real wake word, or not
the wake word (a false accept, or a near miss that was something else)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable

from trixy_core.shipped import resolve_data_path
from trixy_tui import format as fmt
from trixy_tui.access import NotAvailable, attr, method
from trixy_tui.modelinfo import model_metadata
from trixy_tui.screens.base import MainView, selected_row_key
from trixy_tui.screens.general import config_value
from trixy_tui.widgets import InfoTable

MODEL_SUFFIXES = (".onnx", ".pth", ".pt")
SHOWN_METADATA = ("name", "description", "technology", "training_date", "classes", "threshold", "num_speaker",
                  "author", "epochs", "computer_name")


def model_file(root: Path, configured: Any) -> Path | None:
    """The model file a configured path names: the file itself, or the first model file inside the folder."""
    if not configured:
        return None
    path = resolve_data_path(root, configured)
    if path.is_file():
        return path
    if path.is_dir():
        for suffix in MODEL_SUFFIXES:
            found = sorted(path.glob(f"*{suffix}"))
            if found:
                return found[0]
    return None


def model_rows(root: Path, configured: Any) -> list[tuple[str, str]]:
    """What the view shows about one model: its file and the interesting metadata keys."""
    path = model_file(root, configured)
    if path is None:
        return [("Model", f"not available (no model file at {configured or 'an unconfigured path'})")]
    try:
        meta = model_metadata(path)
    except Exception as exc:  # a broken file is shown with its reason
        return [("Model file", str(path.name)), ("Metadata", f"not available: {exc}")]
    rows = [("Model file", str(path.relative_to(root)) if path.is_relative_to(root) else str(path))]
    rows += [(key.replace("_", " ").capitalize(), fmt.text(meta[key])) for key in SHOWN_METADATA if key in meta]
    speakers = [str(meta[k]) for k in sorted(meta) if k.startswith("speaker") and k[7:].isdigit()]
    if speakers:
        rows.append(("Speakers", ", ".join(speakers)))
    return rows


def kept_rows(detections: Any) -> list[tuple[str, str, str, str, str, str]]:
    """(key, UTC time, class, score, kind, file) of each kept detection (the satellite's `kept_detections()`: objects
    with `path`, `when`, `wake_class`, `score`, `near_miss`), in the order given (newest first)."""
    rows = []
    for d in detections:
        path, score = Path(attr(d, "path")), attr(d, "score")
        wake_class = fmt.text(attr(d, "wake_class"))
        kind = "near miss" if attr(d, "near_miss") else "detection"
        rows.append((str(path), fmt.text(attr(d, "when")), wake_class,
                     f"{float(score):.3f}" if score is not None else "?", kind, f"{wake_class}/{path.name}"))
    return rows


def last_wake_word_rows(last: Any) -> list[tuple[str, str]]:
    """What the view shows about the last wake word (the satellite's `last_wake_word`, read by duck typing)."""
    wake_id, speaker_id = attr(last, "wake_word_id"), attr(last, "speaker_id")
    score, speaker_score = attr(last, "score"), attr(last, "speaker_score")
    speaker_name = attr(last, "speaker_name") or ("unknown" if speaker_id is None else "")
    speaker = f"{speaker_name} (id {speaker_id if speaker_id is not None else '?'})"
    if speaker_score is not None:
        speaker += f", score {float(speaker_score):.2f}"  # the speaker model's units (T-norm or cosine)
    name = fmt.text(attr(last, "wake_word_name"))
    return [
        ("Wake word", f"{name} (id {wake_id})" if wake_id is not None else name),
        ("Kind", "system command" if attr(last, "is_system_command") or attr(last, "system_command") else "custom"),
        ("Triggered", "by hand" if attr(last, "triggered_by_hand") else "by the detector"),
        ("Score", f"{float(score):.2f}" if score is not None else fmt.NOT_AVAILABLE),
        ("When", fmt.moment(attr(last, "timestamp"))),
        ("Speaker", speaker),
    ]


class WakewordView(MainView):
    """Models, last wake word and speaker, manual trigger."""

    VIEW_NAME = "wakeword"
    LIVE_EVENTS: ClassVar[tuple[str, ...]] = ("wakeword received", "conversation *")
    POLL_S: ClassVar[float | None] = 5.0
    """A client's satellite raises no events for its own detections and recorder state: those are polled."""

    def compose_content(self) -> ComposeResult:
        yield InfoTable("Wake-word model", id="ww-model")
        yield InfoTable("Voice-recognition model", id="ww-voice")
        yield InfoTable("Last wake word", id="ww-last")
        with Horizontal(classes="buttons"):
            yield Button("Trigger wake word", id="ww-trigger", variant="warning")
        yield InfoTable("Kept detections", id="ww-kept-info")
        table: DataTable = DataTable(id="ww-kept", cursor_type="row", zebra_stripes=True)
        table.add_columns("When (UTC)", "Class", "Score", "Kind", "File")
        yield table
        with Horizontal(classes="buttons"):
            yield Button("Wake word: keep for training", id="ww-kept-wake", variant="success")
            yield Button("Not the wake word: train as negative", id="ww-kept-false", variant="error")

    def satellite(self) -> Any:
        """The satellite part: the `satellite` component (a SatelliteApp, or a standalone's wrapper of one)."""
        satellite = self.component("satellite")
        if satellite is not None and attr(satellite, "recorder") is None and attr(satellite, "app", "recorder"):
            return satellite.app
        return satellite

    def keeper_folder(self) -> Path | None:
        """Where the satellite keeps its detections (None when `audio.keep_detections` is off)."""
        folder = attr(self.satellite(), "detection_keeper", "folder")
        return Path(folder) if folder is not None else None

    def selected_detection(self) -> str | None:
        """The path (row key) of the kept detection under the cursor."""
        return selected_row_key(self.query_one("#ww-kept", DataTable))

    def refresh_kept(self) -> None:
        """The kept detections, newest first; the cursor stays on its file."""
        folder = self.keeper_folder()
        info = self.query_one("#ww-kept-info", InfoTable)
        table = self.query_one("#ww-kept", DataTable)
        if folder is None:
            info.show([("Kept detections", "off (set audio.keep_detections to a folder to keep the audio around "
                                            "each detection and near miss)")])
            table.clear()
            return
        try:
            rows = kept_rows(method(self.satellite(), "kept_detections")())
        except NotAvailable:
            info.show([("Kept detections", "not available (this satellite cannot list them)")])
            return
        except OSError as exc:
            info.show([("Kept detections", f"not available: {exc}")])
            return
        raw = attr(self.satellite(), "trainer_raw_dir", default=fmt.NOT_AVAILABLE)
        info.show([("Folder", str(folder)), ("Files", str(len(rows))),
                   ("Sorted into", f"{raw} (custom/ or <class>/, negative/): "
                                   "the next `trixy-train wakeword` learns from them")])
        selected = self.selected_detection()
        table.clear()
        for key, *cells in rows:
            table.add_row(*cells, key=key)
        keys = [r[0] for r in rows]
        if selected in keys:
            table.move_cursor(row=keys.index(selected))

    def refresh_view(self) -> None:
        self.refresh_kept()
        root = self.trixy.root
        satellite = self.satellite()
        owner = satellite if attr(satellite, "config") is not None else self.application
        self.query_one("#ww-model", InfoTable).show(model_rows(root, config_value(owner, "models.wakeword")))
        self.query_one("#ww-voice", InfoTable).show(model_rows(root, config_value(owner, "models.voice_recognition")))
        last = attr(satellite, "last_wake_word") or attr(satellite, "recorder", "last_wake_word")
        if last is None:
            self.query_one("#ww-last", InfoTable).show([
                ("Last wake word", "never" if hasattr(satellite, "last_wake_word") else
                 "not available (the satellite does not report it yet)"),
                ("Conversation state", fmt.text(attr(satellite, "recorder", "state"))),
            ])
            return
        self.query_one("#ww-last", InfoTable).show([
            *last_wake_word_rows(last),
            ("Conversation state", fmt.text(attr(satellite, "recorder", "state"))),
        ])

    def sort_selected(self, verdict: str) -> None:
        """Move the selected kept detection into the trainer's folders as ``verdict`` (the satellite does it)."""
        path = self.selected_detection()
        if path is None:
            self.set_status("Select a kept detection first.", error=True)
            return
        try:
            target = Path(method(self.satellite(), "sort_detection")(path, verdict))
        except NotAvailable:
            self.set_status("Sorting kept detections: not available on this satellite", error=True)
            return
        except (OSError, ValueError) as exc:
            self.set_status(f"{Path(path).name}: not moved ({exc})", error=True)
            return
        shown = target.relative_to(self.trixy.root) if target.is_relative_to(self.trixy.root) else target
        self.set_status(f"{Path(path).name}: {verdict}, moved to {shown}")
        self.refresh_kept()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        """Trigger the wake word by hand (the audio stream starts as after a real detection), or sort a kept one."""
        if event.button.id in ("ww-kept-wake", "ww-kept-false"):
            self.sort_selected("wake word" if event.button.id == "ww-kept-wake" else "false accept")
            return
        if event.button.id != "ww-trigger":
            return
        satellite = self.satellite()
        if satellite is None:
            self.set_status("Trigger wake word: not available (no satellite component)", error=True)
            return
        try:
            function = method(satellite, "trigger_wake_word")
            result = await self.run_action("Trigger wake word", function)
        except NotAvailable:
            recorder = attr(satellite, "recorder")
            if recorder is None or not hasattr(recorder, "wake_word_detected"):
                self.set_status("Trigger wake word: not available", error=True)
                return
            result = await self.run_action("Trigger wake word", recorder.wake_word_detected, 0, "custom", score=1.0)
        if result is False:
            self.set_status("Trigger wake word: refused (not connected to the server, or a conversation is running)",
                            error=True)

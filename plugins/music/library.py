"""The music library: every playable file under the music folder with its title / artist / album, and lookups by
spoken name.

The index is built once and kept in a JSON file; a refresh re-reads only files whose size or modification time
changed (tags via `mutagen`, duration via libsndfile), so a library of thousands of files refreshes in a moment. A
file that libsndfile cannot open (corrupt, unsupported) is skipped with a log line naming it and listed in
`skipped`; the rest of the library stays playable.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from trixy_core.jsonfile import JsonFileError, read_json, write_json_atomic

from .decode import SUPPORTED_SUFFIXES, MusicError, probe

logger = logging.getLogger(__name__)

INDEX_VERSION = 1
_SPOKEN = re.compile(r"[^a-z0-9' ]+")


def spoken(text: str) -> str:
    """A name as speech-to-text would write it: lower case, words only ("AC/DC - Live!" -> "ac dc live")."""
    return " ".join(_SPOKEN.sub(" ", str(text).lower().replace("_", " ").replace("&", " and ")).split())


@dataclass(slots=True)
class TrackInfo:
    """One playable file of the library."""

    path: str
    """relative to the music folder, with '/'"""
    title: str
    artist: str = ""
    album: str = ""
    track_number: int = 0
    duration_s: float = 0.0
    size: int = 0
    mtime_ns: int = 0


def _first(tags: Any, key: str) -> str:
    try:
        values = tags.get(key) if tags is not None else None
    except (KeyError, ValueError):
        return ""
    if isinstance(values, list | tuple):
        return str(values[0]).strip() if values else ""
    return str(values or "").strip()


def read_tags(path: Path) -> dict[str, Any]:
    """title / artist / album / track number from the file's tags (ID3, Vorbis comments, ...); {} when none."""
    try:
        import mutagen

        tagged = mutagen.File(str(path), easy=True)
    except Exception as exc:  # mutagen raises its own MutagenError subclasses and struct errors on broken tags
        logger.info("music: no readable tags in %s (%s); using the file name", path, exc)
        return {}
    if tagged is None:
        return {}
    tags = getattr(tagged, "tags", None)
    number = _first(tags, "tracknumber").split("/")[0]
    return {"title": _first(tags, "title"), "artist": _first(tags, "artist") or _first(tags, "albumartist"),
            "album": _first(tags, "album"), "track_number": int(number) if number.isdigit() else 0}


def describe(folder: Path, path: Path) -> TrackInfo:
    """Index entry of one file (`MusicError` when libsndfile cannot open it). Without tags the file name is the
    title and the folders above it the album and artist (`Artist/Album/01 Title.mp3`)."""
    stat = path.stat()
    duration = probe(path)
    rel = path.relative_to(folder)
    tags = read_tags(path)
    stem = re.sub(r"^\d+[\s._-]+", "", path.stem).replace("_", " ").strip() or path.stem
    parents = rel.parts[:-1]
    return TrackInfo(
        path=rel.as_posix(), title=tags.get("title") or stem,
        artist=tags.get("artist") or (parents[-2] if len(parents) >= 2 else ""),
        album=tags.get("album") or (parents[-1] if parents else ""),
        track_number=int(tags.get("track_number") or 0), duration_s=round(duration, 3), size=stat.st_size,
        mtime_ns=stat.st_mtime_ns)


@dataclass(slots=True)
class MusicLibrary:
    """The index of a music folder (see the module docstring)."""

    folder: Path
    index_file: Path | None = None
    tracks: dict[str, TrackInfo] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    """relative path -> why it is not playable"""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        if self.index_file is not None:
            self._load_index()

    def _load_index(self) -> None:
        assert self.index_file is not None
        if not self.index_file.exists():
            return
        try:
            raw = read_json(self.index_file)
            if raw.get("version") != INDEX_VERSION:
                return
            self.tracks = {str(k): TrackInfo(**v) for k, v in (raw.get("tracks") or {}).items()}
            self.skipped = {str(k): str(v) for k, v in (raw.get("skipped") or {}).items()}
        except (JsonFileError, OSError, TypeError, ValueError) as exc:
            logger.warning("music index %s unreadable (%s); rebuilding it", self.index_file, exc)
            self.tracks, self.skipped = {}, {}

    def files(self) -> list[Path]:
        """Every file with a supported suffix under the folder (hidden files and folders left out)."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.rglob("*"):
            rel = path.relative_to(self.folder)
            if path.suffix.lower() in SUPPORTED_SUFFIXES and path.is_file() and not any(
                    part.startswith(".") for part in rel.parts):
                found.append(path)
        return sorted(found)

    def refresh(self) -> bool:
        """Bring the index up to date with the folder; True when anything changed (then it is saved)."""
        with self._lock:
            changed = False
            seen: set[str] = set()
            for path in self.files():
                rel = path.relative_to(self.folder).as_posix()
                seen.add(rel)
                stat = path.stat()
                known = self.tracks.get(rel)
                if known is not None and known.size == stat.st_size and known.mtime_ns == stat.st_mtime_ns:
                    continue
                if rel in self.skipped and self.skipped[rel].startswith(f"{stat.st_size}:{stat.st_mtime_ns}:"):
                    continue
                try:
                    self.tracks[rel] = describe(self.folder, path)
                    self.skipped.pop(rel, None)
                except (MusicError, OSError) as exc:
                    logger.warning("music: skipping %s: %s", path, exc)
                    self.tracks.pop(rel, None)
                    self.skipped[rel] = f"{stat.st_size}:{stat.st_mtime_ns}: {exc}"
                changed = True
            for rel in [r for r in self.tracks if r not in seen]:
                del self.tracks[rel]
                changed = True
            for rel in [r for r in self.skipped if r not in seen]:
                del self.skipped[rel]
                changed = True
            if changed and self.index_file is not None:
                write_json_atomic(self.index_file, {
                    "version": INDEX_VERSION, "tracks": {k: asdict(v) for k, v in self.tracks.items()},
                    "skipped": self.skipped})
            return changed

    def mark_unplayable(self, rel: str, reason: str) -> None:
        """A file failed to decode at play time: leave it out from now on (until it changes)."""
        with self._lock:
            info = self.tracks.pop(rel, None)
            if info is not None:
                self.skipped[rel] = f"{info.size}:{info.mtime_ns}: {reason}"

    # -- lookups ------------------------------------------------------------------------------------------------
    def ordered(self) -> list[TrackInfo]:
        """All tracks: by artist, album, track number, title."""
        return sorted(list(self.tracks.values()), key=lambda t: (spoken(t.artist), spoken(t.album), t.track_number,
                                                           spoken(t.title), t.path))

    def by_title(self, name: str) -> list[TrackInfo]:
        """Tracks whose spoken title is `name` (or contains it when nothing matches exactly)."""
        return self._find(name, lambda t: t.title)

    def by_artist(self, name: str) -> list[TrackInfo]:
        """Tracks of an artist, in album order."""
        return self._find(name, lambda t: t.artist)

    def by_album(self, name: str) -> list[TrackInfo]:
        """Tracks of an album, in track order."""
        return self._find(name, lambda t: t.album)

    def _find(self, name: str, key: Any) -> list[TrackInfo]:
        wanted = spoken(name)
        if not wanted:
            return []
        everything = self.ordered()
        exact = [t for t in everything if spoken(key(t)) == wanted]
        return exact or [t for t in everything if wanted in spoken(key(t))]

    def names(self) -> dict[str, list[str]]:
        """Spoken titles, artists and albums: the slot values the speech-to-text grammar gets."""
        out: dict[str, set[str]] = {"music_title": set(), "music_artist": set(), "music_album": set()}
        for track in list(self.tracks.values()):  # a refresh may run in its thread meanwhile
            for key, value in (("music_title", track.title), ("music_artist", track.artist),
                               ("music_album", track.album)):
                if spoken(value):
                    out[key].add(spoken(value))
        return {key: sorted(values) for key, values in out.items()}

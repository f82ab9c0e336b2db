"""Safe extraction of update archives (.zip, .tar.gz/.tgz): every member is checked before anything is written.

Refused: absolute names, `..` segments, backslashes and drive letters, symbolic and hard links, devices and FIFOs,
duplicate names, and archives that inflate beyond `max_bytes` (zip bombs). Extraction writes only regular files
and folders inside `target`.
"""

from __future__ import annotations

import shutil
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from trixy_satellite.updates.errors import UnsafeArchiveError, UpdateError

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz")


def archive_format(filename: str) -> str | None:
    """"zip" or "tar.gz" for an archive file name, None for anything else."""
    name = filename.lower()
    if name.endswith(".zip"):
        return "zip"
    if name.endswith((".tar.gz", ".tgz")):
        return "tar.gz"
    return None


def safe_member_name(name: str) -> PurePosixPath | None:
    """The member's relative path, None for the archive root; `UnsafeArchiveError` for names that could escape."""
    if "\\" in name or "\x00" in name:
        raise UnsafeArchiveError(f"archive member {name!r}: backslashes and NUL bytes are not allowed")
    path = PurePosixPath(name)
    if path.is_absolute() or (path.parts and path.parts[0].endswith(":")):
        raise UnsafeArchiveError(f"archive member {name!r}: absolute paths are not allowed")
    parts = [p for p in path.parts if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchiveError(f"archive member {name!r}: '..' would leave the target folder")
    return PurePosixPath(*parts) if parts else None


@dataclass(slots=True, frozen=True)
class _Member:
    path: PurePosixPath
    is_dir: bool
    size: int
    handle: object


def _zip_members(archive: zipfile.ZipFile) -> list[_Member]:
    members = []
    for info in archive.infolist():
        mode = info.external_attr >> 16
        if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise UnsafeArchiveError(f"archive member {info.filename!r}: links and special files are not allowed")
        path = safe_member_name(info.filename)
        if path is not None:
            members.append(_Member(path, info.is_dir(), info.file_size, info))
    return members


def _tar_members(archive: tarfile.TarFile) -> list[_Member]:
    members = []
    for info in archive.getmembers():
        if not (info.isfile() or info.isdir()):
            kind = "link" if (info.issym() or info.islnk()) else "special file"
            raise UnsafeArchiveError(f"archive member {info.name!r}: a {kind} is not allowed")
        path = safe_member_name(info.name)
        if path is not None:
            members.append(_Member(path, info.isdir(), info.size, info))
    return members


def _check(members: list[_Member], max_bytes: int) -> None:
    seen: set[PurePosixPath] = set()
    total = 0
    for member in members:
        if member.path in seen and not member.is_dir:
            raise UnsafeArchiveError(f"archive member {str(member.path)!r} appears twice")
        seen.add(member.path)
        total += member.size
        if total > max_bytes:
            raise UnsafeArchiveError(f"archive inflates beyond {max_bytes} bytes; refusing it")


def list_archive(path: Path, *, max_bytes: int = 512 * 1024 * 1024, fmt: str | None = None,
                 name: str | None = None) -> list[str]:
    """Check `path` and return its file names (no extraction); raises `UnsafeArchiveError`/`UpdateError`.

    `name` is what errors call the archive (the offered file name, not a temporary download path)."""
    handle, members = _open_and_check(path, max_bytes, fmt, name or path.name)
    handle.close()  # type: ignore[attr-defined]
    return [str(m.path) for m in members if not m.is_dir]


def _open_and_check(path: Path, max_bytes: int, fmt: str | None, name: str) -> tuple[object, list[_Member]]:
    fmt = fmt or archive_format(name)
    try:
        if fmt == "zip":
            zf = zipfile.ZipFile(path)
            members = _zip_members(zf)
            handle: object = zf
        elif fmt == "tar.gz":
            tf = tarfile.open(path, "r:gz")
            members = _tar_members(tf)
            handle = tf
        else:
            raise UpdateError(f"{name}: not an archive; use .zip or .tar.gz")
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise UpdateError(f"{name}: the archive is damaged ({_without_path(exc, path, name)})") from exc
    try:
        _check(members, max_bytes)
    except UpdateError:
        handle.close()  # type: ignore[attr-defined]
        raise
    return handle, members


def extract_archive(path: Path, target: Path, *, max_bytes: int = 512 * 1024 * 1024,
                    fmt: str | None = None, name: str | None = None) -> list[str]:
    """Check every member of `path` (format from `fmt` or its name), then extract regular files and folders into
    `target` (created). `name` is what errors call the archive: the file that was offered, not the `.part` it was
    downloaded to."""
    name = name or path.name
    handle, members = _open_and_check(path, max_bytes, fmt, name)
    target.mkdir(parents=True, exist_ok=True)
    root = target.resolve()
    written: list[str] = []
    try:
        for member in members:
            dest = (root / Path(*member.path.parts)).resolve()
            if dest != root and root not in dest.parents:
                raise UnsafeArchiveError(f"archive member {str(member.path)!r} would leave the target folder")
            if member.is_dir:
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(handle, zipfile.ZipFile):
                source = handle.open(member.handle)  # type: ignore[arg-type]
            else:
                source = handle.extractfile(member.handle)  # type: ignore[union-attr, arg-type]
                if source is None:
                    raise UpdateError(f"archive member {str(member.path)!r} cannot be read")
            with source, open(dest, "wb") as out:
                copied = _copy_limited(source, out, member.size)
            if copied != member.size:
                raise UpdateError(f"archive member {str(member.path)!r}: {copied} bytes instead of {member.size}")
            written.append(str(member.path))
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
        raise UpdateError(f"{name}: the archive is damaged ({_without_path(exc, path, name)})") from exc
    finally:
        handle.close()  # type: ignore[attr-defined]
    return written


def _without_path(exc: BaseException, path: Path, name: str) -> str:
    """The library's message with the temporary file's path replaced by the offered name."""
    return str(exc).replace(str(path), name).replace(path.name, name)


def _copy_limited(source, out, size: int) -> int:
    copied = 0
    while True:
        block = source.read(min(1 << 20, size - copied + 1))
        if not block:
            return copied
        copied += len(block)
        if copied > size:
            raise UnsafeArchiveError("an archive member is larger than its header says")
        out.write(block)


def remove_tree(path: Path) -> None:
    """Delete a folder or file if it exists (used for staging and old backups)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)

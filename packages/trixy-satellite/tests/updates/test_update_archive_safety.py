"""Update archives: every way out of the target folder is refused before anything is written."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from trixy_satellite.updates import UnsafeArchiveError, UpdateError, extract_archive, list_archive


def make_zip(path: Path, members: dict[str, bytes], *, symlink: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return path


def make_tar(path: Path, add) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        add(archive)
    return path


def file_member(archive: tarfile.TarFile, name: str, data: bytes = b"x") -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def test_a_good_zip_and_tar_extract_inside_the_target(tmp_path):
    good_zip = make_zip(tmp_path / "a.zip", {"audio/ok.wav": b"RIFF", "top.txt": b"t"})
    assert sorted(extract_archive(good_zip, tmp_path / "z")) == ["audio/ok.wav", "top.txt"]
    assert (tmp_path / "z" / "audio" / "ok.wav").read_bytes() == b"RIFF"
    good_tar = make_tar(tmp_path / "a.tar.gz", lambda t: file_member(t, "./pkg/main.py", b"code"))
    assert list_archive(good_tar) == ["pkg/main.py"]
    extract_archive(good_tar, tmp_path / "t")
    assert (tmp_path / "t" / "pkg" / "main.py").read_bytes() == b"code"


@pytest.mark.parametrize("name", ["../evil.txt", "a/../../evil.txt", "/abs/evil.txt", "C:/evil.txt", "a\\..\\evil"])
def test_zip_members_escaping_the_target_are_refused(tmp_path, name):
    archive = make_zip(tmp_path / "bad.zip", {"ok.txt": b"ok", name: b"evil"})
    with pytest.raises(UnsafeArchiveError):
        extract_archive(archive, tmp_path / "out")
    assert not (tmp_path / "out" / "ok.txt").exists()         # nothing written before the check
    assert not list(tmp_path.rglob("evil*"))


def test_zip_symlinks_are_refused(tmp_path):
    with pytest.raises(UnsafeArchiveError, match="links"):
        extract_archive(make_zip(tmp_path / "l.zip", {"ok.txt": b"ok"}, symlink="passwd"), tmp_path / "out")


@pytest.mark.parametrize("kind", ["symlink", "hardlink", "device", "dotdot", "absolute"])
def test_tar_links_devices_and_escapes_are_refused(tmp_path, kind):
    def add(archive: tarfile.TarFile) -> None:
        file_member(archive, "ok.txt")
        if kind in ("symlink", "hardlink"):
            info = tarfile.TarInfo("link")
            info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
            info.linkname = "/etc/passwd"
            archive.addfile(info)
        elif kind == "device":
            info = tarfile.TarInfo("dev")
            info.type = tarfile.CHRTYPE
            archive.addfile(info)
        else:
            file_member(archive, "../evil.txt" if kind == "dotdot" else "/tmp/evil.txt")

    with pytest.raises(UnsafeArchiveError):
        extract_archive(make_tar(tmp_path / "bad.tar.gz", add), tmp_path / "out")
    assert not (tmp_path / "out" / "ok.txt").exists()


def test_archives_that_inflate_too_much_and_damaged_files_are_refused(tmp_path):
    big = make_zip(tmp_path / "big.zip", {"zeros.bin": b"\0" * 100_000})
    with pytest.raises(UnsafeArchiveError, match="inflates"):
        extract_archive(big, tmp_path / "out", max_bytes=10_000)
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(UpdateError, match="damaged"):
        extract_archive(tmp_path / "broken.zip", tmp_path / "out")
    (tmp_path / "plain.bin").write_bytes(b"x")
    with pytest.raises(UpdateError, match="not an archive"):
        extract_archive(tmp_path / "plain.bin", tmp_path / "out")

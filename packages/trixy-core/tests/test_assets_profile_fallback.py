"""The asset manager: profile first, then default, else False; escapes refused; shipped sounds are real."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from trixy_core.assets import AssetManager
from trixy_core.errors import AssetError

REPO_ASSETS = Path(__file__).resolve().parents[3] / "assets"


@pytest.fixture
def assets(tmp_path):
    (tmp_path / "default" / "audio").mkdir(parents=True)
    (tmp_path / "night" / "audio").mkdir(parents=True)
    (tmp_path / "default" / "audio" / "success.wav").write_bytes(b"default")
    (tmp_path / "default" / "audio" / "error.wav").write_bytes(b"default error")
    (tmp_path / "night" / "audio" / "success.wav").write_bytes(b"night")
    return tmp_path


def test_profile_file_wins_then_default_then_false(assets):
    manager = AssetManager(assets, "night")
    assert manager.get("audio/success.wav") == assets / "night" / "audio" / "success.wav"
    assert manager.get("audio/error.wav") == assets / "default" / "audio" / "error.wav"
    assert manager.get("audio/missing.wav") is False
    assert manager.list("audio") == ["audio/error.wav", "audio/success.wav"]
    assert manager.profiles() == ["default", "night"]
    with pytest.raises(AssetError, match="not found"):
        manager.read_bytes("audio/missing.wav")


@pytest.mark.parametrize("name", ["../secret.txt", "/etc/passwd", "audio/../../x", "C:/x.wav", "audio\\x.wav", ""])
def test_names_that_escape_the_assets_folder_are_refused(assets, name):
    with pytest.raises(AssetError):
        AssetManager(assets, "night").get(name)


def test_symlink_pointing_outside_is_not_served(assets, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.wav"
    outside.write_bytes(b"secret")
    (assets / "night" / "audio" / "leak.wav").symlink_to(outside)
    assert AssetManager(assets, "night").get("audio/leak.wav") is False


def test_invalid_profile_name_is_refused(assets):
    with pytest.raises(AssetError, match="invalid"):
        AssetManager(assets, "../etc")


@pytest.mark.parametrize("sound", ["success", "error", "listening", "test"])
def test_shipped_default_sounds_are_small_16khz_mono_wavs(sound):
    path = AssetManager(REPO_ASSETS, "someprofile").get(f"audio/{sound}.wav")
    assert path and path.stat().st_size < 40_000
    with wave.open(str(path)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        frames = wav.readframes(wav.getnframes())
    assert len(frames) > 0.1 * 16000 * 2 and any(frames)  # audible, not silence

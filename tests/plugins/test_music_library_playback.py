"""The music plugin on real files made at test time: MP3/FLAC/OGG/Opus/WAV decoded and resampled to 48 kHz stereo,
the tag index, voice commands by title/artist/album, next/previous/louder/quieter, slot values in the intent
catalogue and the STT grammar, and broken files skipped with a log line."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from music_fixtures import dominant_hz, library, write_song

from trixy_core.events import names
from trixy_core.events.data import TextReceived


async def ask(app, text: str, satellite: str = "kitchen") -> str:
    conversation = await app.conversations.open(satellite)
    await app.event_handler.trigger(names.TEXT_RECEIVED, TextReceived(text, conversation.id, satellite))
    return conversation.id


@pytest.fixture
def music_module(load_plugin_module):
    return load_plugin_module("music", "library"), load_plugin_module("music", "decode")


@pytest.mark.parametrize("suffix", [".mp3", ".flac", ".ogg", ".opus", ".wav"])
def test_each_format_decodes_to_48k_stereo_at_the_right_pitch(tmp_path, music_module, suffix):
    _, decode = music_module
    path = write_song(tmp_path / f"tone{suffix}", freq=1000, seconds=1.0, rate=44100)
    pcm = decode.load_music(path)
    frames = len(pcm) // 4
    assert abs(frames - 48000) < 48000 * 0.05  # 1 s (codecs pad a little)
    assert abs(dominant_hz(pcm[: 4 * 40000]) - 1000) < 3
    both = np.frombuffer(pcm, dtype="<i2").reshape(-1, 2)
    assert np.array_equal(both[:, 0], both[:, 1])  # mono became stereo


def test_libsndfile_is_new_enough_for_mp3(music_module):
    _, decode = music_module
    major, minor = (int(x) for x in decode.libsndfile_version().split(".")[:2])
    assert (major, minor) >= (1, 1)


def test_resampling_removes_what_48k_cannot_carry(music_module):
    _, decode = music_module
    rate = 96000
    t = np.arange(rate) / rate
    tone = (0.5 * np.sin(2 * np.pi * 30000 * t)).astype(np.float32)[:, None]  # above 24 kHz: must vanish
    out = decode.resample(tone, rate)
    assert out.shape == (48000, 1)
    assert np.sqrt(np.mean(out[1000:-1000] ** 2)) < 0.01  # linear interpolation would alias it to 18 kHz


def test_index_reads_tags_falls_back_to_folders_and_skips_a_corrupt_file(tmp_path, music_module, caplog):
    lib_module, _ = music_module
    folder = tmp_path / "music"
    library(folder)
    (folder / "broken.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x10not really an mp3" * 3)
    (folder / "notes.txt").write_text("not music")
    index = tmp_path / "index.json"
    lib = lib_module.MusicLibrary(folder, index)
    with caplog.at_level(logging.WARNING):
        assert lib.refresh() is True
    assert "broken.mp3" in caplog.text and "skipping" in caplog.text
    assert set(lib.skipped) == {"broken.mp3"}
    titles = {t.title: (t.artist, t.album) for t in lib.tracks.values()}
    assert titles == {
        "Yellow Submarine": ("The Beatles", "Revolver"), "Taxman": ("The Beatles", "Revolver"),
        "So What": ("Miles Davis", "Kind of Blue"), "Blue in Green": ("Miles Davis", "Kind of Blue"),
        "moon song": ("Zorblax", "Night Tapes"),
    }
    assert [t.title for t in lib.by_album("revolver")] == ["Taxman", "Yellow Submarine"]  # track order
    assert lib.names()["music_artist"] == ["miles davis", "the beatles", "zorblax"]

    # built once: a second library object reads the index and has nothing to redo
    again = lib_module.MusicLibrary(folder, index)
    assert again.refresh() is False and set(again.tracks) == set(lib.tracks)
    # refreshed on change: a new file, a removed file
    write_song(folder / "e.flac", title="Freddie Freeloader", artist="Miles Davis")
    (folder / "a.mp3").unlink()
    assert again.refresh() is True
    assert "e.flac" in again.tracks and "a.mp3" not in again.tracks


@pytest.fixture
async def music(app):
    plugin = app.plugin_manager["music"]
    files = library(plugin.music_folder())
    (plugin.music_folder() / "broken.flac").write_bytes(b"fLaC" + b"\x00" * 200)
    await plugin.rescan()
    await app.event_handler.drain(2)
    plugin.files = files
    return plugin


async def test_library_names_become_slot_values_of_the_catalogue_and_the_stt_grammar(app, music,
                                                                                     load_plugin_module):
    intents = app.plugin_manager["intents"]
    lists = intents.catalogue.intents.slot_lists
    assert "zorblax" in lists["music_artist"].values[-1].text_in.text or any(
        v.text_in.text == "zorblax" for v in lists["music_artist"].values)
    match = intents.recognise("play something by miles davis")
    assert match.intent == "PlayArtist" and match.slots["music_artist"] == "miles davis"
    assert intents.recognise("play yellow submarine").slots["music_title"] == "yellow submarine"
    engine = load_plugin_module("stt_pocketsphinx", "engine")
    stt = engine.PocketsphinxRecogniser()
    grammar = stt.compile_grammar(intents.catalogue.intents)
    assert {"submarine", "taxman", "zorblax", "freddie"} - grammar.words == {"freddie"}
    assert "zorblax" in stt.added_words  # no dictionary entry: pronunciation guessed with espeak-ng
    assert grammar.accepts("play something by zorblax") and grammar.accepts("play the album kind of blue")


async def test_play_by_artist_then_next_previous_louder_quieter(app, recorder, music):
    now = [100.0]
    music.clock = lambda: now[0]
    await ask(app, "play something by miles davis", "livingroom")
    [first] = await recorder.wait_for("music play")
    await recorder.wait_for(names.CONVERSATION_ENDED)
    assert recorder.of(names.TTS_RECEIVED)[-1].text == "Playing So What by Miles Davis"  # untracked sorts first
    assert (first.title, first.sample_rate, first.channels) == ("So What", 48000, 2)
    assert abs(dominant_hz(first.pcm[: 4 * 32768]) - 660) < 3

    await ask(app, "next song", "livingroom")
    [_, second] = await recorder.wait_for("music play", count=2)
    assert second.title == "Blue in Green" and abs(dominant_hz(second.pcm[: 4 * 32768]) - 770) < 3
    loud = np.abs(np.frombuffer(second.pcm, dtype="<i2")).max()

    now[0] += 0.25
    await ask(app, "quieter", "livingroom")
    [*_, softer] = await recorder.wait_for("music play", count=3)
    assert softer.title == "Blue in Green" and softer.offset_s == pytest.approx(0.25)
    assert np.abs(np.frombuffer(softer.pcm, dtype="<i2")).max() == pytest.approx(loud * 0.85, rel=0.02)
    await ask(app, "louder", "livingroom")
    [*_, back] = await recorder.wait_for("music play", count=4)
    assert back.volume == pytest.approx(1.0)

    await ask(app, "previous song", "livingroom")
    [*_, prev] = await recorder.wait_for("music play", count=5)
    assert prev.title == "So What"
    playing = music.now_playing()["livingroom"]
    assert playing["title"] == "So What" and playing["artist"] == "Miles Davis" and playing["queue"] == "1/2"
    await ask(app, "stop the music", "livingroom")
    await recorder.wait_for("music stop", count=5)  # next, quieter, louder, previous restart the stream; stop
    assert music.now_playing() == {}


async def test_play_album_and_title_and_an_unknown_name(app, recorder, music):
    await ask(app, "play the album revolver")
    [album] = await recorder.wait_for("music play")
    assert album.title == "Taxman" and album.album == "Revolver"
    await recorder.wait_for(names.CONVERSATION_ENDED)
    await ask(app, "play yellow submarine", "office")
    [_, title] = await recorder.wait_for("music play", count=2)
    assert title.title == "Yellow Submarine" and title.satellite_id == "office"
    await recorder.wait_for(names.CONVERSATION_ENDED, count=2)
    assert set(music.now_playing()) == {"kitchen", "office"}
    assert music.now_playing()["kitchen"]["title"] == "Taxman"  # each satellite has its own queue


async def test_a_file_that_breaks_at_play_time_is_skipped_and_the_queue_goes_on(app, recorder, music, caplog):
    # corrupt the first track after it was indexed (the header check passed; decoding now fails)
    first = music.library.ordered()[0]
    (music.library.folder / first.path).write_bytes(b"garbage" * 10)
    with caplog.at_level(logging.WARNING):
        await ask(app, "play music")
        [played] = await recorder.wait_for("music play")
    assert played.title == music.library.ordered()[0].title != first.title
    assert first.path in caplog.text and first.path in music.library.skipped


async def test_the_queue_advances_by_itself_at_the_end_of_a_track(app, recorder, music):
    await ask(app, "play the album kind of blue")
    [one] = await recorder.wait_for("music play")
    [_, two] = await recorder.wait_for("music play", count=2, within_s=10)
    assert (one.title, two.title) == ("So What", "Blue in Green")


async def test_the_next_track_is_decoded_while_this_one_plays(app, recorder, music):
    await ask(app, "play the album kind of blue", "hall")
    [first] = await recorder.wait_for("music play")
    session = music.sessions["hall"]
    for _ in range(250):  # the prefetch starts once the first track's stream was handed over, after the event
        if session.prefetched is not None:
            break
        await asyncio.sleep(0.02)
    path, task = session.prefetched
    assert path == "jazz/d.opus"
    await task
    (music.library.folder / path).unlink()  # gone from disk: "next song" can only play the prefetched decode
    await ask(app, "next song", "hall")
    [_, second] = await recorder.wait_for("music play", count=2)
    assert (first.title, second.title) == ("So What", "Blue in Green")
    assert abs(dominant_hz(second.pcm[: 4 * 32768]) - 770) < 3


async def test_pocketsphinx_hears_library_names_in_spoken_commands(app, music, speech):
    stt = app.plugin_manager["stt_pocketsphinx"]
    intents = app.plugin_manager["intents"]
    await app.event_handler.drain(2)
    assert stt.grammar_revision == intents.catalogue.revision  # recompiled after the rescan announced the names
    for said in ("play something by miles davis", "play the album kind of blue", "play something by zorblax"):
        heard = stt.recogniser.transcribe(speech(said))
        assert (heard.text, heard.source) == (said, "grammar")
        assert intents.recognise(heard.text).intent in ("PlayArtist", "PlayAlbum")

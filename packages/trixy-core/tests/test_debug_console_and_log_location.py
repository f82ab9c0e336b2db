"""--debug shows INFO on the console (as its help says); a run without a TUI says where its log file is."""

from __future__ import annotations

import logging

from trixy_core.application import create_application, runtime
from trixy_core.logging import configure_logging, set_debug


def test_debug_console_shows_info_but_not_debug_lines(capsys):
    setup = configure_logging(folder=None, level="INFO", debug=True, logger_name="")
    try:
        logging.getLogger("trixy_core.example").info("an info line")
        logging.getLogger("trixy_core.example").debug("a debug line")
    finally:
        setup.close()
        set_debug(False)
    err = capsys.readouterr().err
    assert "an info line" in err and "a debug line" not in err


def test_headless_run_without_a_tui_names_its_log_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runtime, "find_ui", lambda: None)  # as in a pip install without trixy-tui
    ran = []

    async def headless(application):  # the real loop is tested elsewhere; here: what is said before it
        ran.append(application)
        return 0

    monkeypatch.setattr(runtime, "run_headless", headless)
    app = create_application("client", root=tmp_path)
    try:
        assert runtime.run_application(app, debug=False) == 0
    finally:
        app.logging.close()
    assert ran == [app]
    err = capsys.readouterr().err
    assert f"trixy client: running without a TUI; log file: {tmp_path / 'logs' / 'trixy.log'}" in err

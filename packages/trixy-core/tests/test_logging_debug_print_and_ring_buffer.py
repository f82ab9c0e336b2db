"""debug_print prints only in debug mode; the ring buffer keeps the newest lines and notifies listeners."""

from __future__ import annotations

import logging

from trixy_core.logging import RingBufferHandler, configure_logging, debug_print, set_debug


def test_debug_print_prints_in_debug_and_logs_otherwise(capsys, caplog):
    set_debug(True)
    try:
        debug_print("debug output")
    finally:
        set_debug(False)
    assert capsys.readouterr().out == "debug output\n"
    with caplog.at_level(logging.INFO, logger="trixy"):
        debug_print("production output")
    assert capsys.readouterr().out == ""
    assert "production output" in caplog.text


def test_ring_buffer_is_bounded_and_listeners_see_new_lines():
    buffer = RingBufferHandler(capacity=3)
    buffer.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log = logging.getLogger("trixy.ringtest")
    log.addHandler(buffer)
    log.setLevel(logging.INFO)
    seen: list[str] = []
    unsubscribe = buffer.subscribe(lambda line: seen.append(line.message))
    try:
        for i in range(5):
            log.info("line %d", i)
        unsubscribe()
        log.info("after")
    finally:
        log.removeHandler(buffer)
    assert [line.text for line in buffer.lines()] == ["INFO line 3", "INFO line 4", "INFO after"]
    assert seen == [f"line {i}" for i in range(5)]


def test_log_file_rotates_under_the_configured_folder(tmp_path):
    setup = configure_logging(folder=tmp_path / "logs", max_bytes=10_000, backup_count=2, logger_name="trixy.rot")
    try:
        log = logging.getLogger("trixy.rot")
        for i in range(400):
            log.info("message number %d with some padding to fill the file quickly", i)
    finally:
        setup.close()
    files = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert files == ["trixy.log", "trixy.log.1", "trixy.log.2"]
    assert not logging.getLogger("trixy.rot").handlers


def test_debug_mode_turns_on_trixy_debug_logs_but_not_third_party_ones(tmp_path):
    setup = configure_logging(folder=None, level="INFO", debug=True, logger_name="")
    try:
        logging.getLogger("trixy_core.something").debug("ours")
        logging.getLogger("some_library").debug("theirs")
        texts = [line.message for line in setup.buffer.lines()]
    finally:
        setup.close()
        set_debug(False)
    assert "ours" in texts and "theirs" not in texts
    assert logging.getLogger("trixy_core").level == logging.NOTSET

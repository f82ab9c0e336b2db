"""The `trixy` CLI hands --root/--config/--set/--debug to the factory and turns config errors into a clear exit."""

from __future__ import annotations

import json

from trixy_core import cli
from trixy_core.application import application_from_args


def test_set_overrides_reach_the_config_and_config_errors_exit_cleanly(tmp_path, monkeypatch, capsys):
    built = []

    def runner(args):
        built.append(application_from_args(args))
        return 0

    monkeypatch.setattr(cli, "find_mode_runner", lambda mode: runner)
    assert cli.main(["server", "--root", str(tmp_path), "--set", "general.profile=night", "--set", "events.history_size=7"]) == 0
    app = built[0]
    assert app.config.get("general.profile") == "night" and app.event_handler.history.maxlen == 7
    assert app.config.path == tmp_path / "config" / "server_config.json"
    app.logging.close()

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"logging": {"level": 3}}))
    assert cli.main(["server", "--root", str(tmp_path), "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and "'logging.level' must be a string" in err
    assert cli.main(["server", "--root", str(tmp_path), "--set", "nonsense"]) == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err

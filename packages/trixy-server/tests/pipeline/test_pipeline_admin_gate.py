"""Administrative intents: only after the system-command wake word and only for speakers allowed in config."""

from trixy_core.application import create_application
from trixy_core.events import names
from trixy_core.events.data import IntentReceived
from trixy_server.pipeline import AdminGate


def gate(app=None, speakers=("Johannes",)):
    return AdminGate(app, ["Reboot", "SetTime"], speakers, "Sorry, you are not allowed to do that")


def test_rules():
    g = gate()
    assert g.check("OrderPizza", system_command=False, speaker_id=-1, speaker_name="") is None
    assert "system-command" in g.check("reboot", system_command=False, speaker_id=0, speaker_name="Johannes")
    assert "not in pipeline.admin_speakers" in g.check("Reboot", system_command=True, speaker_id=1, speaker_name="Eve")
    assert "unknown" in g.check("Reboot", system_command=True, speaker_id=-1, speaker_name="")
    assert g.check("SetTime", system_command=True, speaker_id=0, speaker_name="johannes") is None
    assert gate(speakers=["0"]).check("Reboot", system_command=True, speaker_id=0, speaker_name="x") is None
    anyone = gate(speakers=["*"])
    assert anyone.check("Reboot", system_command=True, speaker_id=3, speaker_name="Eve") is None
    assert anyone.check("Reboot", system_command=True, speaker_id=-1, speaker_name="unknown") is not None


def test_default_empty_allow_list_lets_the_system_command_word_authorise_anybody():
    """Spec: the system-command wake word authorises administration; `admin_speakers: []` adds no condition."""
    default = gate(speakers=[])
    assert default.check("Reboot", system_command=True, speaker_id=0, speaker_name="Johannes") is None
    assert default.check("Reboot", system_command=True, speaker_id=-1, speaker_name="unknown") is None
    assert "system-command" in default.check("Reboot", system_command=False, speaker_id=0, speaker_name="Johannes")


def test_default_pipeline_config_does_not_refuse_everybody(tmp_path):
    from trixy_server.pipeline import PipelineSettings

    app = create_application("server", root=tmp_path, overrides=["scheduler.enabled=false"], setup_logging=False)
    settings = PipelineSettings.from_config(app.config)
    assert settings.admin_speakers == []
    g = AdminGate(app, settings.admin_intents, settings.admin_speakers, settings.not_allowed_reply)
    assert g.check("Reboot", system_command=True, speaker_id=-1, speaker_name="") is None
    assert g.check("Reboot", system_command=False, speaker_id=0, speaker_name="Johannes") is not None


async def test_refused_intent_is_answered_stopped_and_the_conversation_closed(tmp_path):
    app = create_application("server", root=tmp_path, overrides=[f"paths.plugins={tmp_path / 'none'}",
                                                                  "scheduler.enabled=false"], setup_logging=False)
    async with app:
        g = gate(app)
        app.event_handler.subscribe(names.INTENT_RECEIVED, g.on_intent, priority=500)
        ran, said = [], []
        app.event_handler.subscribe(names.INTENT_RECEIVED, lambda n, d: ran.append(d.intent), threaded=False)
        app.event_handler.subscribe(names.SAY, lambda n, d: said.append(d.text), threaded=False)

        plain = await app.conversations.open("kitchen", speaker_id=0, speaker_name="Johannes")
        outcome = await app.event_handler.trigger(names.INTENT_RECEIVED, IntentReceived(
            intent="Reboot", conversation_id=plain.id, satellite_id="kitchen"))
        assert outcome.stopped and ran == [] and said == ["Sorry, you are not allowed to do that"]
        assert app.conversations.get(plain.id) is None and app.conversations.ended[-1].end_reason == "not allowed"

        admin = await app.conversations.open("kitchen", speaker_id=0, speaker_name="Johannes", is_system_command=True)
        outcome = await app.event_handler.trigger(names.INTENT_RECEIVED, IntentReceived(
            intent="Reboot", conversation_id=admin.id, satellite_id="kitchen"))
        assert not outcome.stopped and ran == ["Reboot"] and g.refused == 1

"""Speech-to-text engines: the `SpeechRecogniser` interface and the pocketsphinx implementation.

Decoding strategy (Rhasspy's, plus a fallback): the utterance is trimmed of silence and decoded against a JSGF grammar
compiled from the installed intents' sentence templates. The grammar path's score is compared with an unconstrained
phone-loop decode of the same audio: in-domain speech scores close to (or above, on this model) the phone loop, while
out-of-grammar speech forced through the grammar scores far below it. Rejected or empty grammar results go to the
general English language model, which handles free text (badly on synthetic voices, but it is the only option).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np
from pocketsphinx import Decoder, get_model_path

from trixy_server.audio_convert import resample_clip

from .audio import SAMPLE_RATE, dither, pcm_to_array, trim_silence
from .jsgf import JsgfGrammar, compile_jsgf
from .pronounce import guess_pronunciations

logger = logging.getLogger(__name__)

DEFAULT_MIN_SCORE_RATIO = 1.0
"""Grammar score / phone-loop score below which a grammar result is rejected. Measured on espeak-ng voices
(benchmarks/plugins_speech_bench.py): in-domain commands score about 1.0-1.6, out-of-domain sentences 0 (no grammar path) to
1.5, so this threshold only catches the clearly foreign ones; see docs/plugins.md."""
DEFAULT_EARLIER_STARTS_S = (0.1,)
"""When the grammar rejects a command whose cut may have fallen inside its first sound, decode again from this far
before the cut (seconds, in order, the first accepted sentence wins; as far as the lead audio reaches). Measured with
benchmarks/wake_command_bench.py: "Trixie. <command>" said in one run 8 -> 12 of 27 right, pauses unchanged; four
starts (0.05-0.2 s) recovered the same commands as this one, at up to four decodes instead of one (docs/plugins.md)."""
_NOISE_WORDS = frozenset({"<s>", "</s>", "<sil>", "[noise]", "[laugh]", "[breath]", "[cough]", "[um]", "[uh]"})


class SttError(Exception):
    """Speech-to-text could not run (bad audio format, broken model files); the message says what to fix."""


@dataclass(slots=True)
class Transcript:
    """What an engine heard in one utterance."""

    text: str
    """Lower-case words; empty when nothing was recognised."""
    confidence: float
    """0..1; the engine's posterior for the chosen hypothesis."""
    source: str
    """"grammar", "general" or "none" (silence or no hypothesis)."""
    grammar_text: str = ""
    """The grammar decode's hypothesis even when it was rejected (for logs and tuning)."""
    score_ratio: float = 0.0
    """Grammar path score / phone-loop score; the fallback decision is `score_ratio < min_score_ratio`."""
    audio_s: float = 0.0
    decode_s: float = 0.0
    earlier_s: float = 0.0
    """How far before the utterance's start the accepted grammar decode began (from the lead audio; 0: at it)."""


class GrammarResult(NamedTuple):
    """One grammar decode: its sentence, its score against the phone loop, and whether it is accepted."""

    text: str
    ratio: float
    confidence: float
    accepted: bool


_NOTHING = GrammarResult("", 0.0, 0.0, False)


class SpeechRecogniser(Protocol):
    """Any STT engine: PCM in, `Transcript` out. Blocking; callers run it in a worker thread."""

    def transcribe(self, pcm: bytes, sample_rate: int = SAMPLE_RATE, lead_pcm: bytes = b"") -> Transcript:
        """Recognise one complete utterance of 16-bit mono PCM (``lead_pcm``: the audio just before it, if any)."""
        ...


def check_earlier_starts(value: object) -> tuple[float, ...]:
    """``earlier_starts_s`` as a tuple of increasing seconds in (0, 1]; anything else raises `SttError`."""
    if not isinstance(value, (list, tuple)):
        raise SttError(f"earlier_starts_s must be a list of seconds like [0.05, 0.1], got {value!r}")
    starts: list[float] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not 0 < float(item) <= 1.0:
            raise SttError(f"earlier_starts_s: {item!r} is not a number of seconds in (0, 1]")
        if starts and float(item) <= starts[-1]:
            raise SttError(f"earlier_starts_s must increase, got {list(value)!r}")
        starts.append(float(item))
    return tuple(starts)


def _clean(hypstr: str) -> str:
    words = [w for w in hypstr.lower().split() if w not in _NOISE_WORDS and not w.startswith("+")]
    return " ".join(w.split("(")[0] for w in words)


class PocketsphinxRecogniser:
    """pocketsphinx 5 with a grammar from the intents, a phone-loop reference score and the general LM as fallback."""

    def __init__(
        self,
        grammar: JsgfGrammar | None = None,
        *,
        model_dir: str | None = None,
        min_score_ratio: float = DEFAULT_MIN_SCORE_RATIO,
        general_fallback: bool = True,
        extra_pronunciations: dict[str, str] | None = None,
        wake_words: list[str] | tuple[str, ...] = (),
        earlier_starts_s: list[float] | tuple[float, ...] = DEFAULT_EARLIER_STARTS_S,
        recheck_accepted: bool = False,
    ) -> None:
        self.model_dir = model_dir or os.path.join(get_model_path(), "en-us")
        if not os.path.isdir(os.path.join(self.model_dir, "en-us")):
            raise SttError(f"pocketsphinx model folder {self.model_dir} lacks the acoustic model 'en-us/'")
        self.min_score_ratio = float(min_score_ratio)
        self.general_fallback = bool(general_fallback)
        self.earlier_starts_s = check_earlier_starts(earlier_starts_s)
        self.recheck_accepted = bool(recheck_accepted)
        """Also decode a command the grammar accepted from the earlier starts, and keep a longer sentence found
        there ("stop it" from the cut, "what time is it" from 0.1 s earlier). Off by default: it costs one more
        grammar decode for every command after a wake word (docs/plugins.md)."""
        self.extra_pronunciations = dict(extra_pronunciations or {})
        self.wake_words = sorted((" ".join(w.lower().split()) for w in wake_words if w.strip()), key=len, reverse=True)
        self._lock = threading.Lock()
        self._grammar_decoder: Decoder | None = None
        self._phone_decoder: Decoder | None = None
        self._general_decoder: Decoder | None = None
        self.grammar: JsgfGrammar | None = None
        self.added_words: dict[str, str] = {}
        if grammar is not None:
            self.set_grammar(grammar)

    # -- set-up ---------------------------------------------------------------------------------------------

    def _config(self, **extra: object) -> dict[str, object]:
        return {
            "hmm": os.path.join(self.model_dir, "en-us"),
            "dict": os.path.join(self.model_dir, "cmudict-en-us.dict"),
            "loglevel": "ERROR",
            **extra,
        }

    def pronounceable(self, word: str) -> bool:
        """Whether `word` is in the dictionary, has an override, or got a guessed pronunciation."""
        if word in self.added_words or word in self.extra_pronunciations:
            return True
        with self._lock:
            return self._dictionary_decoder().lookup_word(word) is not None

    def learn_words(self, words: set[str] | list[str]) -> dict[str, str]:
        """Guess pronunciations (espeak-ng, one run) for the words the dictionary lacks; returns the new ones."""
        unknown = sorted(w for w in words if not self.pronounceable(w))
        guesses = guess_pronunciations(unknown) if unknown else {}
        for word, phones in guesses.items():
            logger.info("pronunciation for %r guessed with espeak-ng: %s", word, phones)
        self.added_words.update(guesses)
        return guesses

    def compile_grammar(self, intents: Any) -> JsgfGrammar:
        """Compile hassil intents into a grammar of pronounceable words (unknown words are guessed first)."""
        draft = compile_jsgf(intents, optional_prefixes=self.wake_words)
        self.learn_words(draft.words)
        return compile_jsgf(intents, pronounceable=self.pronounceable, optional_prefixes=self.wake_words)

    def strip_wake_word(self, text: str) -> str:
        """Drop a leading wake word ("trixy please order a pizza" -> "please order a pizza")."""
        for wake_word in self.wake_words:
            if text == wake_word:
                return ""
            if text.startswith(wake_word + " "):
                return text[len(wake_word) + 1 :]
        return text

    def _dictionary_decoder(self) -> Decoder:
        if self._phone_decoder is None:
            self._phone_decoder = Decoder(
                **self._config(lm=None, allphone=os.path.join(self.model_dir, "en-us-phone.lm.bin"))
            )
        return self._phone_decoder

    def set_grammar(self, grammar: JsgfGrammar | None) -> None:
        """Replace the grammar (after intents changed); None or an empty grammar means general model only."""
        decoder: Decoder | None = None
        if grammar is not None and not grammar.is_empty:
            decoder = Decoder(**self._config(lm=None, fsgusefiller=False))
            for word, phones in {**self.added_words, **self.extra_pronunciations}.items():
                if word in grammar.words:
                    decoder.add_word(word, phones, True)
            missing = [w for w in grammar.words if decoder.lookup_word(w) is None]
            if missing:
                raise SttError(f"grammar words without pronunciation: {', '.join(sorted(missing))}")
            try:
                decoder.add_jsgf_string("command", grammar.text)
            except (ValueError, RuntimeError) as exc:
                raise SttError(f"pocketsphinx refused the compiled JSGF grammar: {exc}") from exc
            decoder.activate_search("command")
        with self._lock:
            self._grammar_decoder = decoder
            self.grammar = grammar if decoder is not None else None
        logger.info(
            "STT grammar %s",
            f"set: {len(grammar.intents)} intents, {len(grammar.words)} words" if decoder else "cleared",
        )

    def warm_up(self) -> None:
        """Load the general language model now (about 0.4 s) rather than on the first free-text utterance."""
        with self._lock:
            self._general()

    def _general(self) -> Decoder:
        if self._general_decoder is None:
            self._general_decoder = Decoder(**self._config(lm=os.path.join(self.model_dir, "en-us.lm.bin")))
        return self._general_decoder

    # -- decoding ---------------------------------------------------------------------------------------------

    @staticmethod
    def _decode(decoder: Decoder, pcm: bytes) -> tuple[str, float, float]:
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        if hyp is None:
            return "", 0.0, 0.0
        return _clean(hyp.hypstr), float(hyp.score), float(hyp.prob)

    def transcribe(self, pcm: bytes, sample_rate: int = SAMPLE_RATE, lead_pcm: bytes = b"") -> Transcript:
        """Recognise one utterance (16-bit mono PCM at any rate; resampled to 16 kHz).

        ``lead_pcm`` is the audio just before ``pcm`` (the satellite's lead before where it judged the command to
        start): when the grammar rejects ``pcm`` (or, with ``recheck_accepted``, accepts it), ``pcm`` is decoded
        again from each of ``earlier_starts_s`` before its start that the lead covers, and the first grammar sentence
        accepted there wins (with ``recheck_accepted``, for an accepted ``pcm``, only a longer one: the cut fell
        inside the command's first sound, "stop it" from the cut, "what time is it" from 0.1 s earlier). The general
        model, if it runs, hears ``pcm`` alone."""
        if sample_rate <= 0:
            raise SttError(f"sample rate must be positive, got {sample_rate}")
        started = time.perf_counter()
        samples = resample_clip(pcm_to_array(pcm), sample_rate, SAMPLE_RATE)
        audio_s = samples.size / SAMPLE_RATE
        speech = trim_silence(samples, SAMPLE_RATE)
        if speech.size < SAMPLE_RATE // 10:
            return Transcript("", 0.0, "none", audio_s=audio_s, decode_s=time.perf_counter() - started)
        raw = _raw(speech)
        with self._lock:
            grammar_text, ratio = "", 0.0
            if self._grammar_decoder is not None:
                result, earlier_s = self._grammar_result(raw), 0.0
                if lead_pcm and (not result.accepted or self.recheck_accepted):
                    # rejected: any sentence from earlier; accepted: only a longer one (the cut lost a word)
                    words = len(result.text.split()) + 1 if result.accepted else 1
                    lead = resample_clip(pcm_to_array(lead_pcm), sample_rate, SAMPLE_RATE)
                    found = self._grammar_from_earlier(samples, lead, words)
                    if found is not None:
                        result, earlier_s = found
                grammar_text, ratio = result.text, result.ratio
                if result.accepted:
                    return Transcript(
                        self.strip_wake_word(grammar_text), result.confidence, "grammar", grammar_text, ratio, audio_s,
                        time.perf_counter() - started, earlier_s,
                    )
            if not self.general_fallback:
                return Transcript("", 0.0, "none", grammar_text, ratio, audio_s, time.perf_counter() - started)
            text, _, prob = self._decode(self._general(), raw)
            text = self.strip_wake_word(text)
        logger.debug("grammar result %r rejected (ratio %.2f); general model heard %r", grammar_text, ratio, text)
        return Transcript(
            text, prob if text else 0.0, "general" if text else "none", grammar_text, ratio, audio_s,
            time.perf_counter() - started,
        )

    def _grammar_from_earlier(
        self, samples: np.ndarray, lead: np.ndarray, words: int
    ) -> tuple[GrammarResult, float] | None:
        """The first accepted grammar result of at least ``words`` words decoding ``samples`` from each of
        ``earlier_starts_s`` into the ``lead`` before them (as far as it reaches), with that start; else None."""
        for back in self.earlier_starts_s:
            count = int(round(back * SAMPLE_RATE))
            if count > lead.size + SAMPLE_RATE // 100:  # 10 ms short still counts (leads come in whole ms)
                return None
            earlier = trim_silence(np.concatenate([lead[max(0, lead.size - count) :], samples]), SAMPLE_RATE)
            result = self._grammar_result(_raw(earlier), words)
            if result.accepted:
                return result, back
        return None

    def _grammar_result(self, raw: bytes, words: int = 1) -> GrammarResult:
        """The grammar decode of ``raw``: accepted when it is a whole sentence of the
        grammar of at least ``words`` words scoring at least ``min_score_ratio`` of the phone loop (a shorter one is
        not scored: the phone loop is half the cost); a path that stops inside a sentence gives no text. The caller
        holds the lock."""
        assert self._grammar_decoder is not None
        text, grammar_score, confidence = self._decode(self._grammar_decoder, raw)
        if text and self.grammar is not None and not self.grammar.accepts(text):
            logger.debug("grammar decode stopped inside a sentence (%r): not a command", text)
            return _NOTHING
        if not text or len(text.split()) < words:
            return GrammarResult(text, 0.0, 0.0, False)
        _, phone_score, _ = self._decode(self._dictionary_decoder(), raw)
        ratio = grammar_score / phone_score if phone_score > 0 else 0.0
        return GrammarResult(text, ratio, confidence, ratio >= self.min_score_ratio)


def _raw(speech: np.ndarray) -> bytes:
    """Trimmed speech as the decoders take it: dithered 16-bit little-endian PCM."""
    return np.ascontiguousarray(dither(speech), dtype="<i2").tobytes()

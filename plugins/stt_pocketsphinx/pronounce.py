"""Pronunciations for words the CMU dictionary lacks ("margherita", "funghi"), via espeak-ng's phonemes -> ARPAbet.

Rhasspy used a trained grapheme-to-phoneme model; espeak-ng is already installed for TTS and its rule-based
phonemiser is good enough to put a pizza name into the grammar. Unmappable phonemes are skipped.
"""

from __future__ import annotations

import logging
import shutil
import subprocess

logger = logging.getLogger(__name__)

# espeak-ng ASCII phoneme names (en-us) -> CMU ARPAbet. Longest match first.
_ESPEAK_TO_ARPABET: dict[str, str] = {
    "aI@": "AY ER", "aU@": "AW ER", "A@": "AA R", "e@": "EH R", "i@": "IY R", "U@": "UH R", "O@": "AO R",
    "o@": "AO R", "3:": "ER", "@L": "AH L", "@r": "ER", "3r": "ER",
    "aI": "AY", "aU": "AW", "eI": "EY", "oU": "OW", "OI": "OY", "A:": "AA", "O:": "AO", "i:": "IY", "u:": "UW",
    "I2": "IH", "I#": "IH", "i": "IY", "I": "IH", "E": "EH", "e": "EH", "a": "AE", "a#": "AE", "A": "AA",
    "0": "AA", "V": "AH", "@": "AH", "@2": "AH", "@5": "AH", "3": "ER", "U": "UH", "u": "UW", "O": "AO", "o": "OW",
    "tS": "CH", "dZ": "JH", "T": "TH", "D": "DH", "S": "SH", "Z": "ZH", "N": "NG", "j": "Y", "t#": "T", "n-": "N",
    "l-": "L", "r-": "R", "?": "",
    "p": "P", "b": "B", "t": "T", "d": "D", "k": "K", "g": "G", "f": "F", "v": "V", "s": "S", "z": "Z",
    "h": "HH", "m": "M", "n": "N", "l": "L", "r": "R", "w": "W", "x": "HH", "C": "HH",
}
_STRESS_MARKS = "'," + "%=_:"


def espeak_phonemes(words: list[str], voice: str = "en-us") -> list[list[str]]:
    """espeak-ng's phoneme tokens for each word, in one espeak-ng run (empty lists when espeak-ng fails)."""
    exe = shutil.which("espeak-ng")
    if exe is None or not words:
        return [[] for _ in words]
    try:
        done = subprocess.run(
            [exe, "-q", "-x", "--sep= ", "-v", voice], input="\n".join(words) + "\n", capture_output=True, text=True,
            timeout=30, check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        logger.warning("espeak-ng could not phonemise %s: %s", ", ".join(words), exc)
        return [[] for _ in words]
    lines = [line.split() for line in done.stdout.splitlines() if line.strip()]
    if len(lines) != len(words):  # espeak joined or split lines: fall back to one run per word
        return [espeak_phonemes([w], voice)[0] for w in words] if len(words) > 1 else [sum(lines, [])]
    return lines


def to_arpabet(tokens: list[str]) -> list[str]:
    """Map espeak phoneme tokens to ARPAbet phones; unknown symbols are dropped with a debug log."""
    phones: list[str] = []
    for raw in tokens:
        token = raw.lstrip("',")
        while token:
            for size in (3, 2, 1):
                piece = token[:size]
                if piece in _ESPEAK_TO_ARPABET:
                    mapped = _ESPEAK_TO_ARPABET[piece]
                    phones.extend(mapped.split())
                    token = token[size:]
                    break
            else:
                if token[0] not in _STRESS_MARKS and token[0] not in ";#":
                    logger.debug("no ARPAbet phone for espeak symbol %r", token[0])
                token = token[1:]
    return phones


def guess_pronunciations(words: list[str], voice: str = "en-us") -> dict[str, str]:
    """ARPAbet pronunciations for out-of-dictionary words ("margherita" -> "M AA R G ER R IY T AH"); words that
    yield no phones are left out."""
    guesses: dict[str, str] = {}
    for word, tokens in zip(words, espeak_phonemes(words, voice), strict=True):
        phones = to_arpabet(tokens)
        if phones:
            guesses[word] = " ".join(phones)
    return guesses

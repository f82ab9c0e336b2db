"""Word lists for the synthetic corpus: confusables (hard negatives) and a vocabulary for random sentences."""

from __future__ import annotations

import re

#: Words that sound like the wake word but are not it.
CONFUSABLES = [
    "tricks", "tricky", "trick", "trickster", "taxi", "pixie", "Dixie", "tipsy", "sixty", "six", "extra", "texts",
    "treks", "trek", "track", "tracks", "truck", "trucks", "Trinity", "trickle", "Christie", "Kristy", "frisky",
    "risky", "whisky", "mix it", "fix it", "tricked", "Trixter", "tick see", "dixie land", "trip see", "strict",
    "district", "cheeky", "tacky", "tuxedo", "pixel", "Tristan", "trim", "Tracy", "Tessie", "sexy", "Roxy", "boxy",
    "foxy", "tree", "tree sea", "re mix", "nixie", "Bixby", "tixy",
]
#: Words that share parts of the system-command phrase.
SYSTEM_CONFUSABLES = [
    "system", "command", "commander", "systematic", "sister", "cistern", "comment", "common", "commend", "commands",
    "commando", "system error", "sister come on", "custom", "come and", "the system", "a command", "ecosystem",
    "sustain", "symptom", "systems check", "commence",
]
SENTENCE_WORDS = [
    "the", "a", "and", "to", "of", "in", "is", "it", "you", "that", "he", "was", "for", "on", "are", "with", "as",
    "they", "be", "at", "one", "have", "this", "from", "by", "hot", "word", "but", "what", "some", "we", "can", "out",
    "other", "were", "all", "there", "when", "up", "use", "your", "how", "said", "an", "each", "she", "which", "do",
    "their", "time", "if", "will", "way", "about", "many", "then", "them", "write", "would", "like", "so", "these",
    "her", "long", "make", "thing", "see", "him", "two", "has", "look", "more", "day", "could", "go", "come", "did",
    "number", "sound", "no", "most", "people", "my", "over", "know", "water", "than", "call", "first", "who", "may",
    "down", "side", "been", "now", "find", "any", "new", "work", "part", "take", "get", "place", "made", "live",
    "where", "after", "back", "little", "only", "round", "man", "year", "came", "show", "every", "good", "me", "give",
    "our", "under", "name", "very", "through", "just", "form", "sentence", "great", "think", "say", "help", "low",
    "line", "differ", "turn", "cause", "much", "mean", "before", "move", "right", "boy", "old", "too", "same", "tell",
    "does", "set", "three", "want", "air", "well", "also", "play", "small", "end", "put", "home", "read", "hand",
    "port", "large", "spell", "add", "even", "land", "here", "must", "big", "high", "such", "follow", "act", "why",
    "ask", "men", "change", "went", "light", "kind", "off", "need", "house", "picture", "try", "us", "again",
    "animal", "point", "mother", "world", "near", "build", "self", "earth", "father", "head", "stand", "own", "page",
    "should", "country", "found", "answer", "school", "grow", "study", "still", "learn", "plant", "cover", "food",
    "sun", "four", "between", "state", "keep", "eye", "never", "last", "let", "thought", "city", "tree", "cross",
    "farm", "hard", "start", "might", "story", "saw", "far", "sea", "draw", "left", "late", "run", "while", "press",
    "close", "night", "real", "life", "few", "north", "open", "music", "weather", "kitchen", "lights", "timer",
    "please", "turn on", "switch off", "volume", "radio", "tomorrow", "morning", "coffee", "dinner", "window",
]

#: Word sequences that *are* a wake phrase when confusables are strung together ("system commands", "the system
#: commander"): negatives must never contain them.
_WAKE_PATTERN = re.compile(r"\bsystems? command|\b(trixy|trixie|trixi|tricksy|tricksie)\b")


def says_wake_phrase(text: str) -> bool:
    """True when ``text`` contains a wake phrase (so it must not be used as negative speech)."""
    return bool(_WAKE_PATTERN.search(" ".join(re.sub(r"[^a-z]+", " ", text.lower()).split())))

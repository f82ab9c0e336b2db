"""Property tests of event-name normalisation: spelling variants collapse, normalising is idempotent."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from trixy_core.events.names import normalise_event_name, normalise_pattern, pattern_matches

words = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8), min_size=1, max_size=4)
separators = st.sampled_from([" ", "_", "-", "  ", " _ ", "\t"])


@given(words, separators, separators)
def test_separator_and_case_variants_normalise_to_the_same_name(parts, sep_a, sep_b):
    a = sep_a.join(parts)
    b = sep_b.join(p.upper() for p in parts)
    assert normalise_event_name(a) == normalise_event_name(b) == " ".join(p.lower() for p in parts)


@given(words, separators)
def test_normalising_is_idempotent_and_prefix_patterns_match_their_names(parts, sep):
    name = normalise_event_name(sep.join(parts))
    assert normalise_event_name(name) == name
    first = parts[0].lower()
    assert pattern_matches(normalise_pattern(first + "*"), name)
    assert pattern_matches("*", name)

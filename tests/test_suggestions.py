"""Did-you-mean hints among many known IDs (:class:`lineage.model.errors.Suggestions`).

Beyond ``Suggestions.SMALL`` candidates, the hint is the closest of the known values
one edit away, by difflib's ratio; checked here against a plain search of every
candidate by edit distance.
"""

import difflib

from hypothesis import given, settings, strategies as st

from lineage.model.errors import Suggestions, did_you_mean

_ALPHABET = "abc01-"


def _one_edit_apart(a: str, b: str) -> bool:
    """Levenshtein distance at most 1, or two neighbours swapped."""
    if a == b:
        return True
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1:] == short for i in range(len(long)))


def _plain(value: str, candidates, cutoff=0.75):
    scored = [(difflib.SequenceMatcher(None, value, x).ratio(), x) for x in set(candidates)
              if _one_edit_apart(value, x)]
    scored = [pair for pair in scored if pair[0] >= cutoff]
    return max(scored)[1] if scored else None


_IDS = st.text(_ALPHABET, min_size=1, max_size=7)


@settings(max_examples=150, deadline=None)
@given(known=st.lists(_IDS, min_size=1, max_size=40), value=_IDS, data=st.data())
def test_many_candidates_hint_the_closest_one_edit_away(known, value, data):
    # padding the set past SMALL with IDs no value of _ALPHABET is one edit from
    pad = [f"zzzz{i:05d}" for i in range(Suggestions.SMALL)]
    if data.draw(st.booleans()) and known:  # often, a value one edit from a known one
        base = data.draw(st.sampled_from(known))
        at = data.draw(st.integers(0, len(base)))
        value = base[:at] + data.draw(st.sampled_from(_ALPHABET)) + base[at + 1:]
    big = Suggestions(known + pad)
    assert big.closest(value) == _plain(value, known)
    assert big.closest(value) == big.closest(value)  # the kept answer


@settings(max_examples=150, deadline=None)
@given(known=st.lists(_IDS, min_size=1, max_size=40), value=_IDS)
def test_few_candidates_hint_as_difflib_does(known, value):
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.75)
    expected = f" (did you mean '{close[0]}'?)" if close else ""
    assert did_you_mean(value, known) == expected
    assert did_you_mean(value, Suggestions(known)) == expected


def test_a_typo_among_many_gets_its_hint_in_both_languages():
    known = Suggestions([f"party{i:06d}" for i in range(50_000)] + ["carrier"])
    assert did_you_mean("carier", known) == " (did you mean 'carrier'?)"
    assert did_you_mean("carier", known, "ja") == "（'carrier' のことですか？）"
    assert did_you_mean("pratx", known) == ""


def test_ids_in_kanji_get_a_hint_for_a_dropped_character():
    # thousands of different characters: an edit inserts only the common ones
    kanji = [chr(0x4E00 + i) for i in range(3_000)]
    known = [kanji[i % 3_000] + kanji[(i * 7) % 3_000] + kanji[(i * 13) % 3_000] + "支店"
             for i in range(3_000)]
    big = Suggestions(known)
    assert big.closest(known[42][0] + known[42][2:]) == known[42]
    assert big.closest(known[42] + "x") == known[42]


def test_a_value_of_no_known_length_nearby_is_not_searched(monkeypatch):
    # the hostile review of round 14: a 120,000-character --from took 23.6 s
    big = Suggestions([f"party{i:05d}" for i in range(5_000)])

    def searched(self, value):
        raise AssertionError("searched")

    monkeypatch.setattr(Suggestions, "_one_edit", searched)
    assert big.closest("x" * 120_000) is None


def test_only_so_many_values_are_searched_among_many():
    # the hostile review of round 14: hints for 10,000 long, near-alike unknown IDs
    # took 23 s; past SEARCHES values, the rest go without a hint
    big = Suggestions([f"party{i:05d}" for i in range(5_000)])
    typos = [f"party{i:05d}x" for i in range(Suggestions.SEARCHES + 10)]
    hints = [big.closest(t) for t in typos]
    assert hints[:Suggestions.SEARCHES] == [t[:-1] for t in typos[:Suggestions.SEARCHES]]
    assert hints[Suggestions.SEARCHES:] == [None] * 10
    assert big.closest(typos[0]) == "party00000"  # a value searched keeps its hint

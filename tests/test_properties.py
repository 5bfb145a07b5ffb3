"""Property tests: for any string, offsets hold, claims tile the text, results are deterministic."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stanceclf import Document
from stanceclf.splitting import split

NEWSY = st.lists(st.sampled_from([
    "The U.S. said", "Dr. Okoye", "“We won. Again,”", "she said.", "3.5%", "...", " — ", ";", ", but", "\n", "\r\n",
    "\n\n", "By Ana Ruiz", "LISBON, March 3 -", "\"", "“", "”", "?", "!", " ", "\t", "\x00", "\u200b", "😀",
    "ALL CAPS.",
]), max_size=40).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=300), NEWSY)


def check_invariants(text, claims):
    covered = set()
    last_end = 0
    for c in claims:
        assert text[c.start : c.end] == c.text
        assert c.start >= last_end, "claims overlap or are out of order"
        last_end = c.end
        covered.update(range(c.start, c.end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


@given(ANY_TEXT)
@settings(max_examples=300, deadline=None)
def test_splitter_tiles_any_text(text):
    segments = split(text)
    check_invariants(text, [type("C", (), {"start": s.start, "end": s.end, "text": text[s.start : s.end]})
                            for s in segments])
    assert [(s.start, s.end, s.kind) for s in segments] == [(s.start, s.end, s.kind) for s in split(text)]


@given(st.lists(ANY_TEXT, min_size=1, max_size=4))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_analyze_holds_invariants_and_batch_agrees(tiny, texts):
    batch = tiny.analyze_batch(texts, batch_size=3)
    assert len(batch) == len(texts)
    for text, doc in zip(texts, batch):
        check_invariants(text, doc.claims)
        assert doc.check() == []
        line = json.dumps(doc.to_dict())  # a line of the CLI's JSONL output, read back
        back = Document.from_dict(json.loads(line))
        assert back.to_dict() == doc.to_dict() and len(repr(back)) < 120
        single = tiny.analyze(text)
        for a, b in zip(single.claims, doc.claims):
            assert (a.start, a.end, a.label) == (b.start, b.end, b.label)
            if a.probs:
                assert all(abs(a.probs[k] - b.probs[k]) < 1e-5 for k in a.probs)

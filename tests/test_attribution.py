"""Span decoding, attaching sources and cues to claims, continuing quotes, sourcing profile."""

import pytest

from stanceclf import attribution
from stanceclf.labels import SPAN_TAGS
from stanceclf.results import Claim, Document

T = {name: i for i, name in enumerate(SPAN_TAGS)}


def test_decode_merges_bio_and_widens_subwords():
    text = "Spokesperson Natalia Ismont announced it."
    # tokens: Spokes|person|Natalia|Ism|ont|announced|it|.
    offsets = [(0, 6), (6, 12), (13, 20), (21, 24), (24, 27), (28, 37), (38, 40), (40, 41)]
    tags = [T["B-SRC"], T["I-SRC"], T["I-SRC"], T["I-SRC"], T["O"], T["B-CUE"], T["O"], T["O"]]
    sources, cues = attribution.decode(text, offsets, tags)
    assert [text[a:b] for a, b in sources] == ["Spokesperson Natalia Ismont"]
    assert [text[a:b] for a, b in cues] == ["announced"]


def test_decode_keeps_a_chain_of_sources_apart():
    text = "Belta announced it through Ismont."
    offsets = [(0, 5), (6, 15), (16, 18), (19, 26), (27, 33), (33, 34)]
    tags = [T["B-SRC"], T["B-CUE"], T["O"], T["O"], T["B-SRC"], T["O"]]
    sources, _ = attribution.decode(text, offsets, tags)
    assert [text[a:b] for a, b in sources] == ["Belta", "Ismont"]


def _doc(text: str, labels: list[str]) -> Document:
    doc, start = Document(text=text), 0
    for i, (sentence, label) in enumerate(zip(text.split("\n"), labels)):
        doc.claims.append(Claim(sentence, start, start + len(sentence), paragraph=i, label=label,
                                probs={"fact": 0.5, "attribution": 0.2, "opinion": 0.3}))
        start += len(sentence) + 1
    return doc


def test_attach_fills_article_offsets_and_carries_continuing_quotes():
    text = "“We will not move,” Mayor Ana Ruiz told reporters.\n“It cannot work this way.”\nThe river rose."
    doc = _doc(text, ["attribution", "fact", "fact"])
    first = doc.claims[0].text
    src = (first.index("Mayor"), first.index(" told"))
    cue = (first.index("told"), first.index("."))
    attribution.attach(doc, {0: ([src], [cue])})
    a, b, c = doc.claims
    assert [s.text for s in a.sources] == ["Mayor Ana Ruiz"] and a.cue.text == "told reporters"
    for s in a.sources + b.sources:
        assert text[s.start : s.end] == s.text
    assert b.label == "attribution" and b.cue is None and "continuing-quote" in b.flags
    assert b.sources[0].resolved == a.sources[0].resolved == "Ana Ruiz"
    assert b.confidence == 0.2
    assert c.label == "fact" and not c.sources


def test_sources_and_profile():
    text = "Officials said the dam held.\nMayor Ana Ruiz said it leaked.\nRuiz said repairs began.\nIt rained."
    doc = _doc(text, ["attribution", "attribution", "attribution", "fact"])
    spans = {}
    for i, who in enumerate(["Officials", "Mayor Ana Ruiz", "Ruiz"]):
        spans[i] = ([(0, len(who))], [(len(who) + 1, len(who) + 5)])
    attribution.attach(doc, spans)
    found = doc.sources()
    assert [s["name"] for s in found] == ["Officials", "Ana Ruiz"]
    assert found[1]["claims"] == [1, 2] and found[0]["type"] == "anonymous"
    profile = doc.profile()
    assert profile["distinct_sources"] == 2 and profile["anonymous_sources"] == 1
    assert profile["claims_on_anonymous_sources"] == 1 and profile["label_share"]["attribution"] == 0.75
    assert doc.to_dict()["profile"] == profile


def test_decode_completes_according_to():
    text = "They left, according to police."
    offsets = [(0, 4), (5, 9), (9, 10), (11, 20), (21, 23), (24, 30), (30, 31)]
    tags = [T["O"], T["O"], T["O"], T["B-CUE"], T["O"], T["B-SRC"], T["O"]]
    _, cues = attribution.decode(text, offsets, tags)
    assert [text[a:b] for a, b in cues] == ["according to"]
    tags[3:5] = [T["O"], T["B-CUE"]]  # the tagger found only "to"
    _, cues = attribution.decode(text, offsets, tags)
    assert [text[a:b] for a, b in cues] == ["according to"]
    text = "They want to go."  # a "to" without "according" stays as it is
    _, cues = attribution.decode(text, [(0, 4), (5, 9), (10, 12), (13, 15), (15, 16)],
                                 [T["O"], T["O"], T["B-CUE"], T["O"], T["O"]])
    assert [text[a:b] for a, b in cues] == ["to"]


def test_decode_cuts_a_saying_verbs_dangling_preposition_only():
    text = "Holm said in the letter it was wrong."
    # tokens: Holm|said|in|the|letter|it|was|wrong|.
    offsets = [(0, 4), (5, 9), (10, 12), (13, 16), (17, 23), (24, 26), (27, 30), (31, 36), (36, 37)]
    tags = [T["B-SRC"], T["B-CUE"], T["I-CUE"], *[T["O"]] * 6]
    assert [text[a:b] for a, b in attribution.decode(text, offsets, tags)[1]] == ["said"]
    text = "It did not respond to requests."
    offsets = [(0, 2), (3, 6), (7, 10), (11, 18), (19, 21), (22, 30), (30, 31)]
    tags = [T["B-SRC"], T["B-CUE"], T["I-CUE"], T["I-CUE"], T["I-CUE"], T["O"], T["O"]]
    assert [text[a:b] for a, b in attribution.decode(text, offsets, tags)[1]] == ["did not respond to"]


def test_decode_joins_split_tags_across_spaces_and_contractions():
    text = "She didn't specify it, and The company said more, according to officials."
    # tokens: She|didn|'|t|specify|it|,|and|The|company|said|more|,|according|to|officials|.
    offsets = [(0, 3), (4, 8), (8, 9), (9, 10), (11, 18), (19, 21), (21, 22), (23, 26), (27, 30), (31, 38),
               (39, 43), (44, 48), (48, 49), (50, 59), (60, 62), (63, 72), (72, 73)]
    tags = [T["B-SRC"], T["B-CUE"], T["O"], T["B-CUE"], T["B-CUE"], T["O"], T["O"], T["O"], T["B-SRC"], T["B-SRC"],
            T["B-CUE"], T["O"], T["O"], T["B-CUE"], T["B-SRC"], T["I-SRC"], T["O"]]
    sources, cues = attribution.decode(text, offsets, tags)
    assert [text[a:b] for a, b in cues] == ["didn't specify"]  # one cue: the one next to a source
    assert [text[a:b] for a, b in sources] == ["She", "The company", "officials"]


def test_decode_adds_a_chain_source_the_tagger_missed_but_not_reported_content():
    text = "Belta announced it through its spokeswoman Ana Petric."
    offsets = [(0, 5), (6, 15), (16, 18), (19, 26), (27, 30), (31, 42), (43, 46), (47, 53), (53, 54)]
    tags = [T["B-SRC"], T["B-CUE"]] + [T["O"]] * 7
    sources, _ = attribution.decode(text, offsets, tags)
    assert [text[a:b] for a, b in sources] == ["Belta", "spokeswoman Ana Petric"]
    head_cut = [T["B-SRC"], T["B-CUE"]] + [T["O"]] * 3 + [T["B-SRC"], T["I-SRC"], T["I-SRC"], T["O"]]
    sources, _ = attribution.decode(text, offsets, head_cut)
    assert [text[a:b] for a, b in sources] == ["Belta", "spokeswoman Ana Petric"]  # the determiner stays out
    text = "Belta announced it through presidential spokeswoman Ana Petric."
    offsets = [(0, 5), (6, 15), (16, 18), (19, 26), (27, 39), (40, 51), (52, 55), (56, 62), (62, 63)]
    sources, _ = attribution.decode(text, offsets, head_cut)
    assert [text[a:b] for a, b in sources] == ["Belta", "presidential spokeswoman Ana Petric"]
    text = "She said the airline would fly through Delhi."
    offsets = [(0, 3), (4, 8), (9, 12), (13, 20), (21, 26), (27, 30), (31, 38), (39, 44), (44, 45)]
    tags = [T["B-SRC"], T["B-CUE"]] + [T["O"]] * 7
    sources, _ = attribution.decode(text, offsets, tags)
    assert [text[a:b] for a, b in sources] == ["She"]


def _tagged(text: str, spans: dict[str, str]) -> tuple[list[tuple[int, int]], list[int]]:
    """Word offsets of `text` and BIO tags marking each `spans` phrase ("SRC"/"CUE" -> phrase)."""
    import re

    offsets = [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)]
    tags = [T["O"]] * len(offsets)
    for kind, phrase in spans.items():
        s = text.index(phrase)
        inside = [k for k, (a, b) in enumerate(offsets) if s <= a and b <= s + len(phrase)]
        for n, k in enumerate(inside):
            tags[k] = T[("B-" if n == 0 else "I-") + kind]
    return offsets, tags


@pytest.mark.parametrize("text,tagged,expected", [
    # a source that stops on "who" runs on to its cue
    ("Two exporters who asked not to be named said the rules were unfair.",
     {"SRC": "Two exporters who", "CUE": "said"}, "Two exporters who asked not to be named"),
    ("A report published in January by the statistics office found that 40% left.",
     {"SRC": "A report published in", "CUE": "found"}, "A report published in January by the statistics office"),
    # after its cue, it runs to the end of the phrase
    ("Catches fell, according to a study published this month in the journal Fish Africa.",
     {"CUE": "according to", "SRC": "a study published"}, "a study published this month in the journal Fish Africa"),
    # with no cue to run to, the unfinished words are cut
    ("Two deputies who backed it were angry.", {"SRC": "Two deputies who"}, "Two deputies"),
    # a finished span is left alone
    ("Two deputies said it was over.", {"SRC": "Two deputies", "CUE": "said"}, "Two deputies"),
    # the sentence's own punctuation is not part of a source, an abbreviation's period is
    ("It is over, according to Ismont.", {"CUE": "according to", "SRC": "Ismont."}, "Ismont"),
    ("It is over, according to Acme Corp.", {"CUE": "according to", "SRC": "Acme Corp."}, "Acme Corp."),
    ("It is over, according to the U.S.", {"CUE": "according to", "SRC": "the U.S."}, "the U.S."),
    ("It is over, said John Q.", {"CUE": "said", "SRC": "John Q."}, "John Q."),
    ("It is over, said Ismont;", {"CUE": "said", "SRC": "Ismont;"}, "Ismont"),
])
def test_decode_finishes_a_source_that_stops_on_an_unfinished_word(text, tagged, expected):
    sources, _ = attribution.decode(text, *_tagged(text, tagged))
    assert [text[a:b] for a, b in sources] == [expected]


def test_a_title_case_headline_is_no_antecedent_unless_it_names_a_source():
    text = "Harbour Reopens After Storm Repairs\nThe council said the harbour would reopen on Monday."
    doc = _doc(text, ["fact", "attribution"])
    doc.claims[0].kind = "headline"
    body = doc.claims[1].text
    attribution.attach(doc, {1: ([(0, body.index(" said"))], [(body.index("said"), body.index(" the harbour"))])})
    assert doc.claims[1].sources[0].resolved == "The council"


def _spans(text: str, *tagged: tuple[str, str]) -> tuple[list[str], list[str]]:
    """Decoded (sources, cues) of `text` with each (kind, phrase) tagged BIO, in order of appearance."""
    import re

    offsets = [(m.start(), m.end()) for m in re.finditer(r"\w+|[^\w\s]", text)]
    tags = [T["O"]] * len(offsets)
    at = 0
    for kind, phrase in tagged:
        s = text.index(phrase, at)
        at = s + len(phrase)
        inside = [k for k, (a, b) in enumerate(offsets) if s <= a and b <= at]
        for n, k in enumerate(inside):
            tags[k] = T[("B-" if n == 0 else "I-") + kind]
    sources, cues = attribution.decode(text, offsets, tags)
    assert all(0 <= a < b <= len(text) for a, b in sources + cues)
    return [text[a:b] for a, b in sources], [text[a:b] for a, b in cues]


@pytest.mark.parametrize("text,cue,expected", [
    ("The mayor also said the bridge was safe.", "also said", "said"),  # a leading adverb is no cue
    ("The mayor quickly denied the report.", "quickly denied", "denied"),
    ("The mayor reportedly told aides it was over.", "reportedly told", "reportedly told"),  # a hedge stays
    ("The port said in a statement that ships were waiting.", "said in a statement", "said"),  # the channel
    ("The mayor told CNN the bridge was safe.", "told CNN", "told"),  # the one told (docs/annotation.md)
    ("The mayor told reporters the bridge was safe.", "told reporters", "told reporters"),  # an audience
    ("The mayor told a packed news conference it was safe.", "told a packed news conference",
     "told a packed news conference"),
    ("The mayor replied Wednesday that it was safe.", "replied Wednesday", "replied"),  # the time
    ("The mayor has been criticized by residents for the delay.", "has been criticized by", "has been criticized"),
    ("The mayor referred to a survey of the bridge.", "referred to", "referred to"),  # a phrasal verb keeps it
    ("The union issued a statement unequivocally backing the strike.", "issued a statement unequivocally",
     "issued a statement"),
])
def test_a_cue_is_the_reporting_verb_group_only(text, cue, expected):
    assert _spans(text, ("SRC", "The " + text.split()[1]), ("CUE", cue))[1] == [expected]


def test_a_claim_keeps_the_one_cue_next_to_its_source():
    text = "Critics of the plan, calling it rushed, said the council ignored residents."
    assert _spans(text, ("SRC", "Critics of the plan"), ("CUE", "calling"), ("CUE", "said"))[1] == ["calling"]
    text = "The council announced a review, and the mayor said it was overdue."
    assert _spans(text, ("CUE", "announced"), ("SRC", "the mayor"), ("CUE", "said"))[1] == ["said"]


@pytest.mark.parametrize("text,source,expected", [
    # comma-set appositives, relative clauses, ages and party labels are left out (LABELS.md)
    ("Mira Osei, director of the harbour board's freight office, said it would reopen.",
     "Mira Osei, director of the harbour board's freight office", "Mira Osei"),
    ("Pavel Dunaj, who runs the ferry company, said it would reopen.", "Pavel Dunaj, who runs the ferry company",
     "Pavel Dunaj"),
    ("The company, which owns six ferries, said it would reopen.", "The company, which owns six ferries",
     "The company"),
    ("Ada Brandt, 64, said it would reopen.", "Ada Brandt, 64", "Ada Brandt"),
    ("Ada Brandt, D-Mo., said it would reopen.", "Ada Brandt, D-Mo.", "Ada Brandt"),
    ("Ada Brandt, Senior Vice President of Sales for Dexo, said it would reopen.",
     "Ada Brandt, Senior Vice President of Sales for Dexo", "Ada Brandt"),
    ("Mira Osei, speaking from the port on Sunday, said it would reopen.",
     "Mira Osei, speaking from the port on Sunday", "Mira Osei"),
    ("Rep. Ada Brandt (R) said it would reopen.", "Rep. Ada Brandt (R)", "Rep. Ada Brandt"),
    ("Sen. Ada Brandt (D-Nev.) said it would reopen.", "Sen. Ada Brandt (D-Nev.)", "Sen. Ada Brandt"),
    ("The former governor — and many others — said it would reopen.", "The former governor — and many others",
     "The former governor"),
    ("Harbour Freight Corp <HFC.N> said it would reopen.", "Harbour Freight Corp <HFC.N>", "Harbour Freight Corp"),
    # what the tagger began too early: a conjunction, a preposition, a time phrase
    ("Earlier, port analyst Jun Ito said it would reopen.", "Earlier, port analyst Jun Ito", "port analyst Jun Ito"),
    ("The letter came from Dr. Lena Hart, who said it would reopen.", "from Dr. Lena Hart", "Dr. Lena Hart"),
    ("On March 3 President Ada Brandt said it would reopen.", "March 3 President Ada Brandt",
     "President Ada Brandt"),
    # kept whole: a list of names, a role before a name, a name after a title, an acronym, "of" and "at"
    ("Ada Brandt, Jun Ito and Mira Osei said it would reopen.", "Ada Brandt, Jun Ito and Mira Osei",
     "Ada Brandt, Jun Ito and Mira Osei"),
    ("Her lawyer, Jun Ito, said it would reopen.", "Her lawyer, Jun Ito", "Her lawyer, Jun Ito"),
    ("The former fleet commander, Admiral Jun Ito, said it would reopen.",
     "The former fleet commander, Admiral Jun Ito", "The former fleet commander, Admiral Jun Ito"),
    ("The Organisation for Harbour Safety (OHS) said it would reopen.", "The Organisation for Harbour Safety (OHS)",
     "The Organisation for Harbour Safety (OHS)"),
    ("Jun Ito of the Port Institute at Kobe said it would reopen.", "Jun Ito of the Port Institute at Kobe",
     "Jun Ito of the Port Institute at Kobe"),
    ("German, Dutch, and Danish officials said it would reopen.", "German, Dutch, and Danish officials",
     "German, Dutch, and Danish officials"),
])
def test_a_source_span_leaves_out_what_labels_md_leaves_out(text, source, expected):
    assert _spans(text, ("SRC", source), ("CUE", "said"))[0] == [expected]


def test_the_one_told_and_a_phrase_inside_an_appositive_are_no_sources():
    text = "“It will reopen,” Ada Brandt told Jun Ito on Monday."
    assert _spans(text, ("SRC", "Ada Brandt"), ("CUE", "told"), ("SRC", "Jun Ito"))[0] == ["Ada Brandt"]
    text = "Ada Brandt was told by Jun Ito that it would reopen."  # the agent of "was told by" stays
    assert _spans(text, ("SRC", "Ada Brandt"), ("CUE", "was told"), ("SRC", "Jun Ito"))[0] == ["Ada Brandt", "Jun Ito"]
    text = "Jun Ito, the former port director, had warned the council."
    assert _spans(text, ("SRC", "Jun Ito"), ("SRC", "the former port director"), ("CUE", "had warned"))[0] == [
        "Jun Ito"]
    text = "Ada Brandt, Jun Ito and Mira Osei said it would reopen."  # a list's names stay
    assert _spans(text, ("SRC", "Ada Brandt"), ("SRC", "Jun Ito"), ("SRC", "Mira Osei"), ("CUE", "said"))[0] == [
        "Ada Brandt", "Jun Ito", "Mira Osei"]

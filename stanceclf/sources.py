"""Source resolution and typing for attribution claims (LABELS.md, "Attribution details").

`resolve` fills `Source.resolved` (the name without role descriptors, from its fullest mention
so far) and `Source.type` (one of SOURCE_TYPES) with small English word lists and rules:
no model, no dependencies. Offsets are never changed. Reading one phrase (its name, head noun
and type) is `stanceclf.names`; this module links mentions across the article.

Every source looks back over the whole article, with no limit on distance or number of mentions,
and the time stays linear in the article's names and source mentions: the antecedents are indexed
as they arrive (`Pool`), never rescanned (benchmarks/resolver_scaling.py measures it).
"""

from __future__ import annotations

import bisect
import re

from stanceclf.antecedents import PERSON_ROLE_NOUNS, Entity, Pool, words_of
from stanceclf.lexicon import (
    BREAKS,
    CONNECT,
    HONORIFICS,
    LOCATIVE,
    MEDIA_WORDS,
    ORG_NOUNS,
    ORG_WORDS,
    PERSON_PRONOUNS,
    PERSON_ROLES,
    PRONOUNS,
    ROLE_ADJ,
    ROLE_NOUNS,
    STOP,
    STRICT_ROLE_NOUNS,
    TITLES,
)
from stanceclf.names import base, classify, descriptors, is_cap, key, parse, runs, tokens
from stanceclf.results import Claim, Source

SPEAKER_REACH = 300  # characters: real-news train resolution 0.712 -> 0.718 (1,000: corpus train worse)
# word-set unions tested in loops, built once
_NOT_DESCRIPTOR = BREAKS | STOP - {"a", "an", "the"}
_PERSONAL = TITLES | PERSON_ROLES | HONORIFICS
_BODIES = ORG_NOUNS | MEDIA_WORDS
# offices named by a noun, not by a verb of a relative clause ("who runs a fan club" is no office)
_OFFICES = TITLES - PERSON_ROLES - {"chairs", "heads", "directs", "runs", "leads", "led", "oversees", "manages",
                                   "governs"}
# an appositive after a name that types it: ", a lawyer", ", who ...", ", 64", ", chief executive of ...",
# ", Acme vice president", ", Senior Vice President of Sales"; or a lawmaker's party: " (D-Nev.)"
_APPOSITIVE = re.compile(r",\s+((?:a|an|the|who|whose|its|his|her|one|former|\d+)\b[^,.;]*|(?:[\w&'’-]+ ){0,3}(?i:"
                         + "|".join(sorted(TITLES | PERSON_ROLES)) + r")\b[^,.;]*)|\s+\(([DRI](?:-[A-Z][\w.]*)?)\)")


def same_entity(a: str, b: str) -> bool:
    """Whether two resolved names match for scoring: case, a leading "the" and edge punctuation
    ignored, and an acronym matches the initials of its expansion ("FDA", "Food and Drug Administration")."""
    def norm(s: str) -> str:
        s = " ".join((s or "").strip().strip(" \t\n.,;:'\"“”‘’()").lower().split())
        return s[4:] if s.startswith("the ") else s

    def acronym(short: str, long: str) -> bool:
        letters = re.sub(r"[^A-Za-z]", "", short)
        words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", long) if w.lower() not in CONNECT]
        return (len(short.split()) == 1 and 2 <= len(letters) <= 8 and letters.isupper() and len(words) > 1
                and letters.lower() == "".join(w[0] for w in words).lower())
    a, b = (a or "").strip(), (b or "").strip()
    return norm(a) == norm(b) or acronym(a, b) or acronym(b, a)


def _text_entities(text: str) -> list[Entity]:
    """Names found anywhere in the article, typed from their nearest descriptors (None without evidence)."""
    out: list[Entity] = []
    prev_end = 0
    for s, e, poss, pre in runs(text):
        name = re.sub(r"['’]s$", "", text[s:e]) if poss else text[s:e]
        lo = max(prev_end, pre - 50)
        lo = max(lo, text.rfind("\n", lo, pre) + 1, max(text.rfind(c, lo, pre) for c in ".;:!?\"“”") + 1)
        near = []
        for tok in reversed(tokens(text, lo, pre)[-4:]):
            if key(tok[0]) in _NOT_DESCRIPTOR or (is_cap(tok[0]) and key(tok[0]) not in _PERSONAL):  # "Former"
                break
            near.insert(0, tok[0])
        before = " ".join(near) + " " + text[pre:s]
        app = _APPOSITIVE.match(text[e:e + 120])
        appositive = (app.group(1) or "") if app else ""
        phrase = before + name + (", " + appositive if appositive else "")
        words = descriptors(before + " " + appositive) | ({"lawmaker"} if app and app.group(2) else set())
        personal = words & _PERSONAL or re.match(r"\d|who", appositive)
        kind = classify(phrase, name, "", words) if personal or words & _BODIES else None
        if name.isupper() and (len(name) < 3 or re.match(r"\s*[,–-]", text[e:e + 3])):
            continue  # a dateline ("MINSK, Nov 12") or a two-letter word, not an organisation
        ent = Entity.of(s, name, kind, phrase, source=False)
        if kind is None and (set(ent.have) & ORG_WORDS or name.isupper()):
            ent.type = "organisation"
        prior = [key(t[0]) for t in tokens(text, max(0, pre - 30), pre)]
        prior = prior[:-1] if prior[-1:] == ["the"] else prior
        seg = text[max(0, pre - 200) : pre]
        quoted = seg.rfind("“") > seg.rfind("”") or seg.count('"') % 2 == 1
        ent.end, ent.place = e, bool(prior[-1:] and prior[-1] in LOCATIVE) or quoted
        out.append(ent)
        prev_end = e
    return out


def _role_antecedent(noun: str, start: int, pool: Pool, modifiers: set[str]) -> Entity | None:
    """The most recent earlier entity carrying `noun` (and the modifiers of "the ports authority")
    in its name or descriptors, else, without modifiers, a fallback."""
    ante = pool.carrying(noun, frozenset(m.rstrip("s") for m in modifiers))
    if ante is not None or noun in PERSON_ROLE_NOUNS or modifiers or noun in STRICT_ROLE_NOUNS:
        return ante
    if noun in ("ministry", "directorate", "department"):
        hit = pool.ministry(noun, start)
        if hit:
            return Entity.of(start, f"{hit} {noun}", "organisation", noun, source=False)
    i = pool.frequency.leader(start)
    return None if i is None else pool.ents[i]


def resolve(text: str, claims: list[Claim], meta: list[tuple[int, int]] | None = None) -> None:
    """Fill `resolved` and `type` of every source of `claims` (an article's claims in text order) in
    place; names inside `meta` spans (byline, dateline) are not antecedents: the writer is not a source.
    Each source looks back over the whole article; the time is linear in its names and source mentions.
    A failure here is a bug, and it is raised so that tests and fuzzing see it."""
    text = text or ""
    meta = sorted(meta or [])
    meta_starts = [s for s, _ in meta]

    def in_meta(i: int) -> bool:
        k = bisect.bisect_right(meta_starts, i) - 1
        return k >= 0 and i < meta[k][1]

    names = sorted((e for e in _text_entities(text) if not in_meta(e.start)), key=lambda e: e.start)
    starts = [n.start for n in names]
    pool, in_office = Pool(text, names), _office(text, names)
    done: dict[tuple[int, int], Entity] = {}
    covered: set[int] = set()  # indices of names inside a source already resolved
    added = 0  # names before this index are in the pool (or covered)
    for src in sorted((s for c in claims for s in c.sources), key=lambda s: (s.start, s.end)):
        if (src.start, src.end) not in done:
            for i in range(added, bisect.bisect_left(starts, src.start)):
                if i not in covered:
                    pool.add(names[i])
                added = i + 1
            ent = _resolve_one(text, src, pool)
            ent.end = max(src.end, src.start + 1)
            done[(src.start, src.end)] = ent
            pool.add(ent)
            covered.update(range(bisect.bisect_left(starts, ent.start), bisect.bisect_left(starts, ent.end)))
        ent = done[(src.start, src.end)]
        src.resolved, src.type = ent.name, ent.type or "person"
        if (src.type == "person" or (src.type == "organisation" and len(ent.have) == 1)) and in_office(ent.have):
            src.type = "official"


# "the Clinton campaign", "Trump's administration": the name is a candidate's or an office holder's
_OFFICE_OF = re.compile(r"\b([A-Z][\w'’-]+?)(?:['’]s)?\s+(?:(?:presidential|election|re-election|Senate|House)\s+)?"
                        r"(?:campaign|administration|presidency|candidacy|cabinet|nomination)\b")


def _office(text: str, names: list[Entity]):
    """Whether a person's name (base words) holds an office somewhere in the article: one entity, one type
    ("Democratic front-runner Hillary Clinton" ... "Hillary Rodham Clinton said"; "the Sanders campaign"
    ... "Sanders said"). A surname counts when no two first names share it ("President Trump" types
    Donald Trump, not also Eric Trump)."""
    firsts: dict[str, set[str]] = {}
    for n in names:
        if n.type in (None, "person", "official") and len(n.have) > 1:
            firsts.setdefault(n.have[-1], set()).add(n.have[0])
    office = {n.have for n in names if n.type == "official" and n.have and n.words & _OFFICES}
    surnames = {have[-1] for have in office} | {base(m.group(1)) for m in _OFFICE_OF.finditer(text)}
    return lambda have: have in office or bool(have and have[-1] in surnames and len(firsts.get(have[-1], ())) <= 1)


def _resolve_one(text: str, src: Source, pool: Pool) -> Entity:
    """Resolve one source span given the entities (sources and names) before it."""
    phrase = (src.text or "").strip()
    first = key(phrase.split()[0]) if phrase.split() else ""
    if not phrase:
        return Entity.of(src.start, src.text or "", "anonymous", "", named=False)
    if first in PRONOUNS and len(phrase.split()) == 1:
        return _pronoun(first, src, pool, phrase)
    name, head, words = parse(phrase)
    own = classify(phrase, name, head, words)
    if name is None:
        toks = [base(t[0]) for t in tokens(phrase)]
        # "the ports authority", "the former Alaska governor"; not "the Port of Spain", "the Foreign Ministry"
        lower = phrase.rstrip()[-1:].islower() and "of" not in toks
        plain = toks[:1] in (["the"], ["its"], ["their"]) and len(toks) <= 4 and lower
        if own == "document" and plain and toks[-1] == head and pool.documents.get(head) is not None:
            ante = pool.ents[pool.documents[head]]  # "the report": the fuller earlier "The mission report"
            if len(ante.have) > len(toks):
                return Entity.of(src.start, ante.name, "document", phrase, named=False)
        if head in ROLE_NOUNS and toks and toks[-1] == head and plain and own != "anonymous" and "'" not in phrase:
            ante = _role_antecedent(head, src.start, pool, set(toks[1:-1]) - ROLE_ADJ)
            if ante is not None:
                kind = ante.type if ante.type in ("organisation", "media", "official", "anonymous") else (
                    "official" if own == "official" else "organisation")
                return Entity.of(src.start, ante.name, kind, phrase, named=ante.named)
        return Entity.of(src.start, phrase, own, phrase, named=False)
    fuller = pool.fullest(name)
    bare = not (words - {"the"}) or words <= HONORIFICS
    if fuller is not None:
        kind = fuller.type or own  # one entity, one type: "Kraus, 52, who ..." is still the union official
        if bare and fuller.type is None:
            lead = base(tokens(fuller.name)[0][0]) == base(tokens(name)[0][0])
            kind = "organisation" if lead and len(tokens(name)) == 1 and not words & HONORIFICS else "person"
        return Entity(src.start, fuller.name, kind, words_of(phrase) | fuller.words, True, plural=fuller.plural)
    if bare and len(tokens(name)) == 1 and own == "person" and not words & HONORIFICS:  # "Mr. Whitcomb" is a person
        own = "organisation"
    return Entity.of(src.start, name, own, phrase)


def _pronoun(word: str, src: Source, pool: Pool, phrase: str) -> Entity:
    """A pronoun takes the most recent suitable antecedent (a person for he/she) and its type; he or she
    shortly after a person who spoke (SPEAKER_REACH characters) is that speaker, not someone named since
    ("..., Ruiz told Mr. Okafor. He added ..." is Ruiz)."""
    if word in PERSON_PRONOUNS:
        i = pool.last["singular"] if pool.last["singular"] >= 0 else pool.last["untyped"]
        speaker = pool.last["speaker"]
        if speaker >= 0 and src.start - pool.ents[speaker].start < SPEAKER_REACH:
            i = speaker
        if i >= 0:
            ent = pool.ents[i]
            ent = (None if ent.source else pool.fullest(ent.name, i)) or ent
            return Entity(src.start, ent.name, ent.type or "person", ent.words, True, named=ent.named,
                           plural=ent.plural)
    else:
        i = pool.last["thing" if word in ("it", "its") else "nondoc"]
        if i >= 0:
            ent = pool.ents[i]
            return Entity(src.start, ent.name, ent.type, ent.words, True, named=ent.named, plural=ent.plural)
    return Entity.of(src.start, phrase, "anonymous", phrase, named=False)

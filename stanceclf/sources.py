"""Source resolution and typing for attribution claims (LABELS.md, "Attribution details").

`resolve` fills `Source.resolved` (the name without role descriptors, from its fullest mention
so far) and `Source.type` (one of SOURCE_TYPES) with small English word lists and rules:
no model, no dependencies. Offsets are never changed. Reading one phrase (its name, head noun
and type) is `stanceclf.names`; this module links mentions across the article.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from stanceclf.lexicon import (
    ANON_SINGULAR,
    BREAKS,
    CONNECT,
    HONORIFICS,
    INDEFINITE,
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

# Resolution looks back at most POOL mentions and WINDOW characters: enough for any article,
# and it keeps a 5 MB input linear.
POOL = 300
WINDOW = 20_000
PERSON_TYPES = ("person", "official")


@dataclass
class _Entity:
    """A resolved mention (a source, or a name found in the article text) kept as an antecedent."""

    start: int
    name: str
    type: str | None
    phrase: str  # the mention with its descriptors, for role-noun matching
    source: bool = False
    end: int = -1
    named: bool = True
    place: bool = False  # after "in", "from", "near"... or inside quotation marks: not a speaker


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


def _text_entities(text: str) -> list[_Entity]:
    """Names found anywhere in the article, typed from their nearest descriptors (None without evidence)."""
    out: list[_Entity] = []
    prev_end = 0
    for s, e, poss, pre in runs(text):
        name = re.sub(r"['’]s$", "", text[s:e]) if poss else text[s:e]
        lo = max(prev_end, pre - 50, text.rfind("\n", 0, pre) + 1, max(text.rfind(c, 0, pre) for c in ".;:!?\"“”") + 1)
        near = []
        for tok in reversed(tokens(text, lo, pre)[-4:]):
            if key(tok[0]) in BREAKS | STOP - {"a", "an", "the"} or is_cap(tok[0]):
                break
            near.insert(0, tok[0])
        before = " ".join(near) + " " + text[pre:s]
        app = re.match(r",\s+((?:a|an|the|who|whose|its|his|her|one|former|\d+)\b[^,.;]*|(?:[a-z-]+ ){0,2}(?:"
                       + "|".join(sorted(TITLES | PERSON_ROLES)) + r")\b[^,.;]*)", text[e:e + 120])
        phrase = before + name + (", " + app.group(1) if app else "")
        words = descriptors(before + " " + (app.group(1) if app else ""))
        personal = words & (TITLES | PERSON_ROLES | HONORIFICS) or (app and re.match(r"\d|who", app.group(1)))
        kind = classify(phrase, name, "", words) if personal or words & (ORG_NOUNS | MEDIA_WORDS) else None
        if name.isupper() and (len(name) < 3 or re.match(r"\s*[,–-]", text[e:e + 3])):
            continue  # a dateline ("MINSK, Nov 12") or a two-letter word, not an organisation
        if kind is None and ({base(t[0]) for t in tokens(name)} & ORG_WORDS or name.isupper()):
            kind = "organisation"
        prior = [key(t[0]) for t in tokens(text, max(0, pre - 30), pre)]
        prior = prior[:-1] if prior[-1:] == ["the"] else prior
        seg = text[max(0, pre - 200) : pre]
        quoted = seg.rfind("“") > seg.rfind("”") or seg.count('"') % 2 == 1
        place = bool(prior[-1:] and prior[-1] in LOCATIVE) or quoted
        out.append(_Entity(s, name, kind, phrase, end=e, place=place))
        prev_end = e
    return out


def _find_fuller(name: str, pool: list[_Entity]) -> _Entity | None:
    """The fullest earlier entity whose name contains `name`'s words in order (or whose initials spell it)."""
    want = [base(t[0]) for t in tokens(name) if key(t[0]) not in HONORIFICS]
    best, best_rank = None, (0, False)
    for ent in pool if want else []:
        have = [base(t[0]) for t in tokens(ent.name)]
        initials = "".join(w[0] for w in have if w not in CONNECT)
        inside = any(have[k:k + len(want)] == want for k in range(len(have) - len(want) + 1))
        rank = (len(have), ent.type is not None)
        if ent.named and ((inside and len(have) > len(want)) or (
                len(want) == 1 and len(have) > 1 and initials == want[0])) and rank >= best_rank:
            best, best_rank = ent, rank
    return best


def _role_antecedent(noun: str, text: str, start: int, pool: list[_Entity],
                     modifiers: frozenset[str] | set[str] = frozenset()) -> _Entity | None:
    """The most recent earlier entity carrying `noun` (and the modifiers of "the ports authority")
    in its name or descriptors, else, without modifiers, a fallback."""
    person_role = noun in TITLES | ANON_SINGULAR
    stems = {m.rstrip("s") for m in modifiers}
    for field in ("name", "phrase"):
        for ent in reversed(pool):
            if ent.type == "document" or (not ent.named and not person_role):
                continue
            if person_role and ent.type not in PERSON_TYPES + ("anonymous",):
                continue
            if not person_role and field == "phrase" and ent.type in PERSON_TYPES:
                continue  # "the agency" is not "the agency's spokeswoman Mei Lin"
            words = {base(t[0]) for t in tokens(getattr(ent, field))}
            if noun in words and stems <= {w.rstrip("s") for w in words}:
                return ent
    if person_role or modifiers or noun in STRICT_ROLE_NOUNS:
        return None
    if noun in ("ministry", "directorate", "department"):
        hits = [h.strip() for h in re.findall(r"\b((?:[A-Z][\w-]* )+|[a-z]+ )(?i:" + noun + r")\b",
                                                text[max(0, start - WINDOW) : start])]
        hits = [re.sub(r"^(The|A|An) ", "", h) for h in hits]
        hits = [h for h in hits if h.lower() not in STOP | INDEFINITE]
        if hits:
            return _Entity(start, f"{hits[-1]} {noun}", "organisation", noun)
    for wanted in ("organisation", None):
        counts: dict[str, int] = {}
        for ent in pool:
            if ent.type == wanted and not ent.source and (wanted or len(tokens(ent.name)) > 1):
                counts[ent.name] = counts.get(ent.name, 0) + len(re.findall(
                    r"\b" + re.escape(tokens(ent.name)[0][0]) + r"\b", text[max(0, start - WINDOW) : start]))
        if counts:
            top = max(counts.values())
            return next(e for e in pool if counts.get(e.name) == top and e.type == wanted)
    return None


def resolve(text: str, claims: list[Claim], meta: list[tuple[int, int]] | None = None) -> None:
    """Fill `resolved` and `type` of every source of `claims` (an article's claims in text order) in
    place; names inside `meta` spans (byline, dateline) are not antecedents: the writer is not a source.
    A failure here is a bug, and it is raised so that tests and fuzzing see it."""
    text = text or ""
    meta = sorted(meta or [])
    meta_starts = [s for s, _ in meta]

    def in_meta(i: int) -> bool:
        k = bisect.bisect_right(meta_starts, i) - 1
        return k >= 0 and i < meta[k][1]

    names = sorted((e for e in _text_entities(text) if not in_meta(e.start)), key=lambda e: e.start)
    starts = [n.start for n in names]
    done: dict[tuple[int, int], _Entity] = {}
    known: list[_Entity] = []
    covered: set[int] = set()  # indices of names inside a source already resolved
    for src in sorted((s for c in claims for s in c.sources), key=lambda s: (s.start, s.end)):
        if (src.start, src.end) not in done:
            # only the last POOL mentions count, so huge inputs stay linear
            hi = bisect.bisect_left(starts, src.start)
            inside = [names[i] for i in range(max(0, hi - POOL), hi) if i not in covered]
            pool = sorted(known[-POOL:] + inside, key=lambda e: e.start)
            ent = _resolve_one(text, src, pool)
            ent.end = max(src.end, src.start + 1)
            done[(src.start, src.end)] = ent
            known.append(ent)
            covered.update(range(bisect.bisect_left(starts, ent.start), bisect.bisect_left(starts, ent.end)))
        ent = done[(src.start, src.end)]
        src.resolved, src.type = ent.name, ent.type or "person"


def _resolve_one(text: str, src: Source, pool: list[_Entity]) -> _Entity:
    """Resolve one source span given the entities (sources and names) before it."""
    phrase = (src.text or "").strip()
    first = key(phrase.split()[0]) if phrase.split() else ""
    if not phrase:
        return _Entity(src.start, src.text or "", "anonymous", "", True, named=False)
    if first in PRONOUNS and len(phrase.split()) == 1:
        return _pronoun(first, src, pool, phrase)
    name, head, words = parse(phrase)
    own = classify(phrase, name, head, words)
    if name is None:
        toks = [base(t[0]) for t in tokens(phrase)]
        lower = phrase == phrase[:1] + phrase[1:].lower()  # "the ports authority", not "the Port of Spain"
        plain = toks[:1] in (["the"], ["its"], ["their"]) and len(toks) <= 4 and lower
        if head in ROLE_NOUNS and toks and toks[-1] == head and plain and own != "anonymous" and "'" not in phrase:
            ante = _role_antecedent(head, text, src.start, pool, set(toks[1:-1]) - ROLE_ADJ)
            if ante is not None:
                kind = ante.type if ante.type in ("organisation", "media", "official", "anonymous") else (
                    "official" if own == "official" else "organisation")
                return _Entity(src.start, ante.name, kind, phrase, True, named=ante.named)
        return _Entity(src.start, phrase, own, phrase, True, named=False)
    fuller = _find_fuller(name, pool)
    bare = not (words - {"the"}) or words <= HONORIFICS
    if fuller is not None:
        kind = fuller.type or own  # one entity, one type: "Kraus, 52, who ..." is still the union official
        if bare and fuller.type is None:
            lead = base(tokens(fuller.name)[0][0]) == base(tokens(name)[0][0])
            kind = "organisation" if lead and len(tokens(name)) == 1 and not words & HONORIFICS else "person"
        return _Entity(src.start, fuller.name, kind, phrase + " " + fuller.phrase, True)
    if bare and len(tokens(name)) == 1 and own == "person" and not words & HONORIFICS:  # "Mr. Whitcomb" is a person
        own = "organisation"
    return _Entity(src.start, name, own, phrase, True)


def _pronoun(word: str, src: Source, pool: list[_Entity], phrase: str) -> _Entity:
    """A pronoun takes the most recent suitable antecedent (a person for he/she) and its type."""
    if word in PERSON_PRONOUNS:
        for evidenced in (True, False):
            for ent in reversed(pool):
                singular = ent.type in PERSON_TYPES or (ent.type == "anonymous" and not ent.phrase.endswith("s"))
                if (evidenced and singular) or (not evidenced and ent.type is None and len(tokens(ent.name)) > 1
                                                 and not ent.place):
                    full = None if ent.source else _find_fuller(ent.name, [e for e in pool if e.start < ent.start])
                    ent = full or ent
                    return _Entity(src.start, ent.name, ent.type or "person", ent.phrase, True, named=ent.named)
    else:
        for ent in reversed(pool):
            if ent.source and ent.type not in PERSON_TYPES and (word in ("it", "its") or ent.type != "document"):
                return _Entity(src.start, ent.name, ent.type, ent.phrase, True, named=ent.named)
    return _Entity(src.start, phrase, "anonymous", phrase, True, named=False)

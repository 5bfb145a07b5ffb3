"""Source resolution and typing for attribution claims (LABELS.md, "Attribution details").

`resolve` fills `Source.resolved` (the name without role descriptors, from its fullest mention
so far) and `Source.type` (one of SOURCE_TYPES) with small English word lists and rules:
no model, no dependencies. Offsets are never changed. Reading one phrase (its name, head noun
and type) is `stanceclf.names`; this module links mentions across the article.

Every source looks back over the whole article, with no limit on distance or number of mentions,
and the time stays linear in the article's names and source mentions: the antecedents are indexed
as they arrive (`_Pool`), never rescanned (benchmarks/resolver_scaling.py measures it).
"""

from __future__ import annotations

import bisect
import functools
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

PERSON_TYPES = ("person", "official")
# word-set unions tested in loops, built once
_NOT_DESCRIPTOR = BREAKS | STOP - {"a", "an", "the"}
_PERSONAL = TITLES | PERSON_ROLES | HONORIFICS
_BODIES = ORG_NOUNS | MEDIA_WORDS
_PERSON_ROLE_NOUNS = TITLES | ANON_SINGULAR  # "the spokesman" is a person; "the agency" is not
_NOT_A_NAME = STOP | INDEFINITE
# an appositive after a name that types it: ", a lawyer", ", who ...", ", 64", ", chief executive of ..."
_APPOSITIVE = re.compile(r",\s+((?:a|an|the|who|whose|its|his|her|one|former|\d+)\b[^,.;]*|(?:[a-z-]+ ){0,2}(?:"
                         + "|".join(sorted(TITLES | PERSON_ROLES)) + r")\b[^,.;]*)")


def _words(phrase: str) -> frozenset[str]:
    return frozenset(base(t[0]) for t in tokens(phrase))


@dataclass
class _Entity:
    """A resolved mention (a source, or a name found in the article text) kept as an antecedent."""

    start: int
    name: str
    type: str | None
    words: frozenset[str]  # base words of the mention with its descriptors (and of its fuller mention)
    source: bool = False
    end: int = -1
    named: bool = True
    place: bool = False  # after "in", "from", "near"... or inside quotation marks: not a speaker
    plural: bool = False  # the mention ends in "s" ("analysts"): no antecedent for "he" or "she"

    @classmethod
    def of(cls, start: int, name: str, kind: str | None, phrase: str, source: bool = True,
           named: bool = True) -> _Entity:
        return cls(start, name, kind, _words(phrase), source, named=named, plural=phrase.endswith("s"))

    @functools.cached_property
    def have(self) -> tuple[str, ...]:
        """The base words of the name."""
        return tuple(base(t[0]) for t in self.name_tokens)

    @functools.cached_property
    def name_tokens(self) -> list[tuple[str, int, int]]:
        return tokens(self.name)


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
        lo = max(prev_end, pre - 50)
        lo = max(lo, text.rfind("\n", lo, pre) + 1, max(text.rfind(c, lo, pre) for c in ".;:!?\"“”") + 1)
        near = []
        for tok in reversed(tokens(text, lo, pre)[-4:]):
            if key(tok[0]) in _NOT_DESCRIPTOR or is_cap(tok[0]):
                break
            near.insert(0, tok[0])
        before = " ".join(near) + " " + text[pre:s]
        app = _APPOSITIVE.match(text[e:e + 120])
        phrase = before + name + (", " + app.group(1) if app else "")
        words = descriptors(before + " " + (app.group(1) if app else ""))
        personal = words & _PERSONAL or (app and re.match(r"\d|who", app.group(1)))
        kind = classify(phrase, name, "", words) if personal or words & _BODIES else None
        if name.isupper() and (len(name) < 3 or re.match(r"\s*[,–-]", text[e:e + 3])):
            continue  # a dateline ("MINSK, Nov 12") or a two-letter word, not an organisation
        ent = _Entity.of(s, name, kind, phrase, source=False)
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


class _Pool:
    """The antecedents of the next source: the sources resolved so far and the article's names
    before it, in text order, indexed as they arrive so that no look-up rescans earlier mentions."""

    def __init__(self, text: str, names: list[_Entity]):
        self.text = text
        self.ents: list[_Entity] = []
        self.by_word: dict[str, list[int]] = {}  # a named entity's base words and initials -> positions
        self.fuller_memo: dict[tuple[str, ...], list] = {}  # words -> [positions where the best changed, rank, seen]
        self.roles: dict[tuple[str, str], list[int]] = {}  # (field, role noun) -> positions that may carry it
        self.role_memo: dict[tuple[str, str, frozenset[str]], list[int]] = {}  # -> [seen, last match]
        self.last = {"singular": -1, "untyped": -1, "thing": -1, "nondoc": -1}
        self.ministries: dict[str, tuple[list[int], list[str]]] = {}
        self.frequency = _Frequency(text, names, self.ents)

    def add(self, ent: _Entity) -> None:
        i = len(self.ents)
        self.ents.append(ent)
        if ent.named:
            have = ent.have
            initials = "".join(w[0] for w in have if w not in CONNECT) if len(have) > 1 else None
            for w in dict.fromkeys([*have, initials] if initials else have):
                self.by_word.setdefault(w, []).append(i)
        for field, words in (("name", set(ent.have)), ("phrase", ent.words)):
            for noun in words & ROLE_NOUNS:
                person_role = noun in _PERSON_ROLE_NOUNS
                if ent.type == "document" or (not ent.named and not person_role) or (
                        person_role and ent.type not in PERSON_TYPES + ("anonymous",)) or (
                        not person_role and field == "phrase" and ent.type in PERSON_TYPES):
                    continue  # "the agency" is not "the agency's spokeswoman Mei Lin"
                self.roles.setdefault((field, noun), []).append(i)
        thing = ent.source and ent.type not in PERSON_TYPES
        for flag, holds in (("singular", ent.type in PERSON_TYPES or (ent.type == "anonymous" and not ent.plural)),
                            ("untyped", ent.type is None and len(ent.have) > 1 and not ent.place),
                            ("thing", thing), ("nondoc", thing and ent.type != "document")):
            if holds:
                self.last[flag] = i

    def fullest(self, name: str, limit: int | None = None) -> _Entity | None:
        """The fullest entity among the first `limit` (all) whose name contains `name`'s words in order
        (or whose initials spell it); of equally full ones, the latest, a typed one before an untyped."""
        want = tuple(base(t[0]) for t in tokens(name) if key(t[0]) not in HONORIFICS)
        if not want:
            return None
        memo = self.fuller_memo.setdefault(want, [[], (0, False), 0])
        found, best_rank, seen = memo
        candidates = self.by_word.get(want[0], [])
        for i in candidates[seen:]:
            ent = self.ents[i]
            have = ent.have
            inside = any(have[k:k + len(want)] == want for k in range(len(have) - len(want) + 1))
            initials = "".join(w[0] for w in have if w not in CONNECT)
            rank = (len(have), ent.type is not None)
            if ((inside and len(have) > len(want)) or (len(want) == 1 and len(have) > 1 and initials == want[0])
                    ) and rank >= best_rank:
                found.append(i)
                best_rank = rank
        memo[1:] = [best_rank, len(candidates)]
        k = bisect.bisect_left(found, len(self.ents) if limit is None else limit) - 1
        return self.ents[found[k]] if k >= 0 else None

    def carrying(self, noun: str, stems: frozenset[str]) -> _Entity | None:
        """The latest entity carrying role noun `noun` and the `stems` of its modifiers in its name, else
        in its descriptors."""
        for field in ("name", "phrase"):
            positions = self.roles.get((field, noun), [])
            memo = self.role_memo.setdefault((field, noun, stems), [0, -1])
            for i in positions[memo[0]:]:
                ent = self.ents[i]
                if stems <= {w.rstrip("s") for w in (ent.have if field == "name" else ent.words)}:
                    memo[1] = i
            memo[0] = len(positions)
            if memo[1] >= 0:
                return self.ents[memo[1]]
        return None

    def ministry(self, noun: str, start: int) -> str | None:
        """The last "X ministry" (directorate, department) named before `start`, without "the"."""
        if noun not in self.ministries:
            ends, hits = [], []
            for m in re.finditer(r"\b((?:[A-Z][\w-]* )+|[a-z]+ )(?i:" + noun + r")\b", self.text):
                hit = re.sub(r"^(The|A|An) ", "", m.group(1).strip())
                if hit.lower() not in _NOT_A_NAME:
                    ends.append(m.end())
                    hits.append(hit)
            self.ministries[noun] = ends, hits
        ends, hits = self.ministries[noun]
        k = bisect.bisect_right(ends, start) - 1
        return hits[k] if k >= 0 else None


class _Frequency:
    """The article's most frequent earlier organisation name (failing one, name of several words): its
    mentions so far times the occurrences of its first word before the source, ties to the name seen
    first. Scores only grow, so the leader is kept up to date as mentions and words go by."""

    def __init__(self, text: str, names: list[_Entity], pool: list[_Entity]):
        self.text, self.names, self.pool = text, names, pool
        self.events: list[tuple[int, str]] | None = None  # built at the first look-up: most articles need none
        self.seen = self.added = 0
        self.occurrences: dict[str, int] = {}
        self.mentions: dict[tuple[str | None, str], int] = {}
        self.first_word: dict[tuple[str | None, str], str] = {}
        self.by_first: dict[str, list[tuple[str | None, str]]] = {}
        self.first_at: dict[tuple[str | None, str], int] = {}  # (type, name) -> first position with them
        self.top: dict[str | None, tuple[int, int]] = {}  # type -> (score, position of the answer)

    def _occurrences(self) -> list[tuple[int, str]]:
        """(end, word) of each whole-word occurrence of a name's first word, in text order."""
        firsts = {n.name_tokens[0][0] for n in self.names if n.type in ("organisation", None)}
        runs_at: dict[str, list[int]] = {re.match(r"\w*", f).group(): [] for f in firsts}
        for m in re.finditer(r"\w+", self.text):
            if m.group() in runs_at:
                runs_at[m.group()].append(m.start())
        events, text = [], self.text
        for first in firsts:
            end = -1  # as re.findall(r"\bFIRST\b") counts: a match starts a run of word characters
            for s in runs_at[re.match(r"\w*", first).group()]:
                e = s + len(first)
                after = e < len(text) and (text[e].isalnum() or text[e] == "_")
                if s >= end and text.startswith(first, s) and after != (first[-1].isalnum() or first[-1] == "_"):
                    end = e
                    events.append((end, first))
        return sorted(events)

    def _add(self, ent: _Entity, i: int) -> None:
        if ent.type not in ("organisation", None):
            return
        k = (ent.type, ent.name)
        self.first_at.setdefault(k, i)
        if ent.source or (ent.type is None and len(ent.have) < 2):
            return
        if k not in self.mentions:
            self.first_word[k] = ent.name_tokens[0][0]
            self.by_first.setdefault(self.first_word[k], []).append(k)
        self.mentions[k] = self.mentions.get(k, 0) + 1
        self._bump(k)

    def _bump(self, k: tuple[str | None, str]) -> None:
        score = self.mentions[k] * self.occurrences.get(self.first_word[k], 0)
        top, at = self.top.get(k[0], (-1, -1))
        if score > top:
            self.top[k[0]] = score, self.first_at[k]
        elif score == top:
            self.top[k[0]] = top, min(at, self.first_at[k])

    def leader(self, start: int) -> int | None:
        """Position of the leading organisation (else multi-word name) before `start`."""
        if self.events is None:
            self.events = self._occurrences()
        for i in range(self.added, len(self.pool)):
            self._add(self.pool[i], i)
        self.added = len(self.pool)
        while self.seen < len(self.events) and self.events[self.seen][0] <= start:
            word = self.events[self.seen][1]
            self.occurrences[word] = self.occurrences.get(word, 0) + 1
            for k in self.by_first.get(word, []):
                self._bump(k)
            self.seen += 1
        for kind in ("organisation", None):
            if kind in self.top:
                return self.top[kind][1]
        return None


def _role_antecedent(noun: str, start: int, pool: _Pool, modifiers: set[str]) -> _Entity | None:
    """The most recent earlier entity carrying `noun` (and the modifiers of "the ports authority")
    in its name or descriptors, else, without modifiers, a fallback."""
    ante = pool.carrying(noun, frozenset(m.rstrip("s") for m in modifiers))
    if ante is not None or noun in _PERSON_ROLE_NOUNS or modifiers or noun in STRICT_ROLE_NOUNS:
        return ante
    if noun in ("ministry", "directorate", "department"):
        hit = pool.ministry(noun, start)
        if hit:
            return _Entity.of(start, f"{hit} {noun}", "organisation", noun, source=False)
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
    pool = _Pool(text, names)
    done: dict[tuple[int, int], _Entity] = {}
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


def _resolve_one(text: str, src: Source, pool: _Pool) -> _Entity:
    """Resolve one source span given the entities (sources and names) before it."""
    phrase = (src.text or "").strip()
    first = key(phrase.split()[0]) if phrase.split() else ""
    if not phrase:
        return _Entity.of(src.start, src.text or "", "anonymous", "", named=False)
    if first in PRONOUNS and len(phrase.split()) == 1:
        return _pronoun(first, src, pool, phrase)
    name, head, words = parse(phrase)
    own = classify(phrase, name, head, words)
    if name is None:
        toks = [base(t[0]) for t in tokens(phrase)]
        lower = phrase == phrase[:1] + phrase[1:].lower()  # "the ports authority", not "the Port of Spain"
        plain = toks[:1] in (["the"], ["its"], ["their"]) and len(toks) <= 4 and lower
        if head in ROLE_NOUNS and toks and toks[-1] == head and plain and own != "anonymous" and "'" not in phrase:
            ante = _role_antecedent(head, src.start, pool, set(toks[1:-1]) - ROLE_ADJ)
            if ante is not None:
                kind = ante.type if ante.type in ("organisation", "media", "official", "anonymous") else (
                    "official" if own == "official" else "organisation")
                return _Entity.of(src.start, ante.name, kind, phrase, named=ante.named)
        return _Entity.of(src.start, phrase, own, phrase, named=False)
    fuller = pool.fullest(name)
    bare = not (words - {"the"}) or words <= HONORIFICS
    if fuller is not None:
        kind = fuller.type or own  # one entity, one type: "Kraus, 52, who ..." is still the union official
        if bare and fuller.type is None:
            lead = base(tokens(fuller.name)[0][0]) == base(tokens(name)[0][0])
            kind = "organisation" if lead and len(tokens(name)) == 1 and not words & HONORIFICS else "person"
        return _Entity(src.start, fuller.name, kind, _words(phrase) | fuller.words, True, plural=fuller.plural)
    if bare and len(tokens(name)) == 1 and own == "person" and not words & HONORIFICS:  # "Mr. Whitcomb" is a person
        own = "organisation"
    return _Entity.of(src.start, name, own, phrase)


def _pronoun(word: str, src: Source, pool: _Pool, phrase: str) -> _Entity:
    """A pronoun takes the most recent suitable antecedent (a person for he/she) and its type."""
    if word in PERSON_PRONOUNS:
        i = pool.last["singular"] if pool.last["singular"] >= 0 else pool.last["untyped"]
        if i >= 0:
            ent = pool.ents[i]
            ent = (None if ent.source else pool.fullest(ent.name, i)) or ent
            return _Entity(src.start, ent.name, ent.type or "person", ent.words, True, named=ent.named,
                           plural=ent.plural)
    else:
        i = pool.last["thing" if word in ("it", "its") else "nondoc"]
        if i >= 0:
            ent = pool.ents[i]
            return _Entity(src.start, ent.name, ent.type, ent.words, True, named=ent.named, plural=ent.plural)
    return _Entity.of(src.start, phrase, "anonymous", phrase, named=False)

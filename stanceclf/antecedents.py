"""The antecedents of source resolution (`stanceclf.sources`): the sources resolved so far and the
article's names before the next source, in text order, indexed as they arrive (`Pool`) so that every
look-up costs about the size of its answer and resolution stays linear in names and mentions."""

from __future__ import annotations

import bisect
import dataclasses
import functools
import re
from dataclasses import dataclass

from stanceclf.lexicon import (
    ABBREVIATED,
    ANON_SINGULAR,
    CONNECT,
    HONORIFICS,
    INDEFINITE,
    ROLE_NOUNS,
    STOP,
    THINGS,
    TITLES,
)
from stanceclf.names import base, key, parse, tokens

PERSON_TYPES = ("person", "official")
PERSON_ROLE_NOUNS = TITLES | ANON_SINGULAR  # "the spokesman" is a person; "the agency" is not
_NOT_A_NAME = STOP | INDEFINITE


def words_of(phrase: str) -> frozenset[str]:
    """The base words of a phrase."""
    return frozenset(base(t[0]) for t in tokens(phrase))


@dataclass
class Entity:
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
           named: bool = True) -> Entity:
        return cls(start, name, kind, words_of(phrase), source, named=named, plural=phrase.endswith("s"))

    @functools.cached_property
    def have(self) -> tuple[str, ...]:
        """The base words of the name."""
        return tuple(base(t[0]) for t in self.name_tokens)

    @functools.cached_property
    def name_tokens(self) -> list[tuple[str, int, int]]:
        return tokens(self.name)


class Pool:
    """The antecedents of the next source: the sources resolved so far and the article's names
    before it, in text order, indexed as they arrive so that no look-up rescans earlier mentions."""

    def __init__(self, text: str, names: list[Entity]):
        self.text = text
        self.ents: list[Entity] = []
        self.by_word: dict[str, list[int]] = {}  # a named entity's base words and initials -> positions
        self.fuller_memo: dict[tuple[str, ...], list] = {}  # words -> [best-change positions, cuts, rank, seen]
        self.roles: dict[tuple[str, str], list[int]] = {}  # (field, role noun) -> positions that may carry it
        self.role_memo: dict[tuple[str, str, frozenset[str]], list[int]] = {}  # -> [seen, last match]
        self.last = {"singular": -1, "untyped": -1, "thing": -1, "nondoc": -1, "speaker": -1}
        self.documents: dict[str, int] = {}  # head noun -> the latest document source ("report")
        self.ministries: dict[str, tuple[list[int], list[str]]] = {}
        self.frequency = Frequency(text, names, self.ents)

    def add(self, ent: Entity) -> None:
        i = len(self.ents)
        self.ents.append(ent)
        if ent.named:
            have = ent.have
            initials = "".join(w[0] for w in have if w not in CONNECT) if len(have) > 1 else None
            for w in dict.fromkeys([*have, initials] if initials else have):
                self.by_word.setdefault(w, []).append(i)
        for field, words in (("name", set(ent.have)), ("phrase", ent.words)):
            for noun in {ABBREVIATED.get(w, w) for w in words} & ROLE_NOUNS:
                person_role = noun in PERSON_ROLE_NOUNS
                if ent.type == "document" or (not ent.named and not person_role) or (
                        person_role and ent.type not in PERSON_TYPES + ("anonymous",)) or (
                        not person_role and field == "phrase" and ent.type in PERSON_TYPES):
                    continue  # "the agency" is not "the agency's spokeswoman Mei Lin"
                self.roles.setdefault((field, noun), []).append(i)
        if ent.source and ent.type == "document":
            self.documents[parse(ent.name)[1]] = i
        thing = ent.source and ent.type not in PERSON_TYPES
        for flag, holds in (("singular", ent.type in PERSON_TYPES or (ent.type == "anonymous" and not ent.plural)),
                            ("untyped", ent.type is None and len(ent.have) > 1 and not ent.place),
                            ("thing", thing), ("nondoc", thing and ent.type != "document"),
                            ("speaker", ent.source and ent.type in PERSON_TYPES)):
            if holds:
                self.last[flag] = i

    def fullest(self, name: str, limit: int | None = None) -> Entity | None:
        """The fullest entity among the first `limit` (all) whose name contains `name`'s words in order
        (or whose initials spell it); of equally full ones, the latest, a typed one before an untyped.
        A name that goes on past them to a thing is cut there ("Maddow" in "The Rachel Maddow Show" is
        Rachel Maddow, "Trump" in "Trump International Hotel" no fuller name)."""
        want = tuple(base(t[0]) for t in tokens(name) if key(t[0]) not in HONORIFICS)
        if not want:
            return None
        memo = self.fuller_memo.setdefault(want, [[], [], (0, False), 0])
        found, cuts, best_rank, seen = memo
        candidates = self.by_word.get(want[0], [])
        for i in candidates[seen:]:
            have = self.ents[i].have
            at = next((k for k in range(len(have) - len(want) + 1) if have[k:k + len(want)] == want), None)
            cut = at + len(want) if at is not None and at + len(want) < len(have) and have[-1] in THINGS else len(have)
            initials = "".join(w[0] for w in have if w not in CONNECT)
            rank = (cut, self.ents[i].type is not None)
            if ((at is not None and cut > len(want)) or (len(want) == 1 and len(have) > 1 and initials == want[0])
                    ) and rank >= best_rank:
                found.append(i)
                cuts.append(cut)
                best_rank = rank
        memo[2:] = [best_rank, len(candidates)]
        k = bisect.bisect_left(found, len(self.ents) if limit is None else limit) - 1
        if k < 0:
            return None
        ent = self.ents[found[k]]
        if cuts[k] == len(ent.have):
            return ent
        return dataclasses.replace(ent, name=ent.name[: ent.name_tokens[cuts[k] - 1][2]])

    def carrying(self, noun: str, stems: frozenset[str]) -> Entity | None:
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


class Frequency:
    """The article's most frequent earlier organisation name (failing one, name of several words): its
    mentions so far times the occurrences of its first word before the source, ties to the name seen
    first. Scores only grow, so the leader is kept up to date as mentions and words go by."""

    def __init__(self, text: str, names: list[Entity], pool: list[Entity]):
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

    def _add(self, ent: Entity, i: int) -> None:
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

"""Source resolution and typing for attribution claims (LABELS.md, "Attribution details").

`resolve` fills `Source.resolved` (the name without role descriptors, from its fullest mention
so far) and `Source.type` (one of SOURCE_TYPES) with small English word lists and rules:
no model, no dependencies. Offsets are never changed.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from stanceclf.lexicon import (
    ABBREV,
    ANON_PLURAL,
    ANON_SINGULAR,
    BREAKS,
    COMMON,
    CONNECT,
    DOC_NOUNS,
    HONORIFICS,
    INDEFINITE,
    LOCATIVE,
    MEDIA_WORDS,
    OFFICIAL_OVERRIDE,
    ORG_NOUNS,
    ORG_WORDS,
    OUTLETS,
    PARTICLES,
    PERSON_PRONOUNS,
    PERSON_ROLES,
    PRONOUNS,
    ROLE_ADJ,
    ROLE_NOUNS,
    STOP,
    SUFFIXES,
    TITLES,
)
from stanceclf.results import Claim, Source

# Resolution looks back at most POOL mentions and WINDOW characters: enough for any article,
# and it keeps a 5 MB input linear.
POOL = 300
WINDOW = 20_000
TOKEN = re.compile(r"\w+(?:[.'’&-]\w+)*\.?|&")
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


def _key(tok: str) -> str:
    return tok.lower().rstrip(".").replace("’", "'")


def _base(tok: str) -> str:
    """A token lower-cased, without a possessive "'s" or a trailing period."""
    k = _key(tok)
    return k[:-2] if k.endswith("'s") else k.rstrip("'")


def _is_cap(tok: str) -> bool:
    if re.search(r"-(run|based|owned|backed|led|controlled|funded|linked|born|aligned|affiliated|style)$", tok):
        return False
    return tok[:1].isupper() or bool(re.match(r"^(al|el|ad|ar|as|bin|ibn)-\w", tok))


def _tokens(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """Word tokens with offsets; a sentence-final period is dropped unless the token is an abbreviation."""
    out = []
    for m in TOKEN.finditer(text, start, len(text) if end is None else end):
        tok = m.group()
        if tok.endswith(".") and len(tok) > 2 and "." not in tok[:-1] and _key(tok) not in ABBREV:
            tok = tok[:-1]
        out.append((tok, m.start(), m.start() + len(tok)))
    return out


def _runs(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, bool, int]]:
    """Capitalised name runs (start, end, possessive, start before titles were cut)."""
    toks, runs, i = _tokens(text, start, end), [], 0
    while i < len(toks):
        if not _is_cap(toks[i][0]) or _key(toks[i][0]) in STOP:
            i += 1
            continue
        j = i
        while j + 1 < len(toks) and not _key(toks[j][0]).endswith("'s") and text[toks[j][2]:toks[j + 1][1]] == " ":
            if _is_cap(toks[j + 1][0]):
                j += 1
                continue
            k = j + 1
            while k < len(toks) and _key(toks[k][0]) in CONNECT | PARTICLES and k - j <= 2:
                k += 1
            if k == j + 1 or k >= len(toks) or not _is_cap(toks[k][0]) or _key(toks[k][0]) in STOP:
                break
            m = k
            while m + 1 < len(toks) and _is_cap(toks[m + 1][0]) and text[toks[m][2]:toks[m + 1][1]] == " ":
                m += 1
            left, right = {_base(t[0]) for t in toks[i:j + 1]}, {_base(t[0]) for t in toks[k:m + 1]}
            links = {_key(t[0]) for t in toks[j + 1:k]}
            has_and = bool(links & {"and", "&"})
            if not (links <= PARTICLES or (left & ORG_WORDS and not (has_and and right & ORG_WORDS))
                    or (links in ({"and"}, {"&"}) and right & ORG_WORDS)):
                break
            j = k
        cut = i  # titles, honorifics and leading common nouns ("Economist Martín ...") are not the name
        for k in range(i, j):
            rest = {_base(t[0]) for t in toks[k + 1:j + 1]}
            if _key(toks[k][0]) in TITLES | HONORIFICS and not rest & (ORG_WORDS | CONNECT):
                cut = k + 1
        while cut < j and _base(toks[cut][0]) in (COMMON - ORG_WORDS) | HONORIFICS and _is_cap(toks[cut + 1][0]) \
                and not {_base(t[0]) for t in toks[cut + 1:j + 1]} & ORG_WORDS:
            cut += 1
        end_j = j
        while end_j > cut and (_key(toks[end_j][0]) in SUFFIXES or re.fullmatch(r"[A-Z]", toks[end_j][0])):
            end_j -= 1
        single_common = cut == end_j and _base(toks[cut][0]) in COMMON
        if not single_common:
            runs.append((toks[cut][1], toks[end_j][2], _key(toks[end_j][0]).endswith("'s"), toks[i][1]))
        i = j + 1
    return runs


def _desc(text: str) -> set[str]:
    """Descriptor words of a phrase: lower-case words, titles and honorifics in any case, a leading common noun."""
    toks = _tokens(text)
    return {_base(t[0]) for k, t in enumerate(toks) if not _is_cap(t[0]) or _key(t[0]) in TITLES | HONORIFICS
            or (k == 0 and _base(t[0]) in COMMON)}


def _head_desc(text: str) -> set[str]:
    """Descriptor words before the first preposition of each comma-separated part (the descriptors' heads)."""
    out: set[str] = set()
    for part in text.split(","):
        words = [_base(t[0]) for t in _tokens(part)]
        cut = next((k for k, w in enumerate(words) if k and w in BREAKS), len(words))
        out |= _desc(" ".join(t[0] for t in _tokens(part)[:cut]))
    return out


def _parse(phrase: str) -> tuple[str | None, str, set[str]]:
    """Split a source span into (name or None, head noun of its first noun phrase, descriptor words)."""
    clean = re.sub(r"\s*\([^)]*\)", "", phrase)
    left, _, right = clean.partition(",")
    toks, runs = _tokens(left), _runs(left)
    inside = {t[1] for t in toks for r in runs if r[3] <= t[1] < r[1]}
    cut = next((k for k, t in enumerate(toks) if k and _key(t[0]) in BREAKS and t[1] not in inside), len(toks))
    region_end = toks[cut - 1][2] if cut else 0
    head = _base(toks[cut - 1][0]) if cut else ""
    if (head in INDEFINITE or head in ("here", "there")) and toks:
        head = _base(toks[-1][0]) if _base(toks[-1][0]) not in ("here", "there") else _base(toks[0][0])
    name = None
    inner = [r for r in runs if r[1] <= region_end]
    if inner:
        s, e, poss, _ = inner[-1]
        tail = [_base(t[0]) for t in _tokens(left, e, region_end)]
        if not poss and all(w in MEDIA_WORDS | SUFFIXES | {"agency", "party", "alliance"} for w in tail):
            name = left[s:e]
    if name is None and right.strip():
        rt = right.strip()
        rruns = _runs(rt)
        lead = r"(the\s+)?"
        if len(rruns) > 1 and rt[rruns[0][1] : rruns[0][1] + 2] == ". " and rruns[0][1] - rruns[0][0] <= 4:
            rruns, lead = rruns[1:], r"[A-Z][a-z]{1,3}\.\s+"  # an abbreviated title: "Avv. Lorenzo Bassani"
        if rruns and re.fullmatch(lead, rt[:rruns[0][3]], re.IGNORECASE) and not rruns[0][2]:
            name = rt[rruns[0][0]:rruns[0][1]]
    if name and name.endswith(" News Agency") and _base(name.split()[0]) in OUTLETS:
        name = name[:-len(" News Agency")]
    return name, head, _desc(clean)


def _classify(phrase: str, name: str | None, head: str, words: set[str], lead: set[str] | None = None) -> str:
    """The LABELS.md source type of a span, first match wins."""
    first = _key(phrase.split()[0]) if phrase.split() else ""
    if name is None:
        if "unnamed" in words or head in ANON_PLURAL or (first in INDEFINITE and head not in DOC_NOUNS | ORG_NOUNS
                                                         | MEDIA_WORDS):
            return "anonymous"
        if head in DOC_NOUNS:
            return "document"
        if head in MEDIA_WORDS or head in OUTLETS:
            return "media"
        if head == "police" or head in TITLES or head in ANON_SINGULAR:
            return "official"
        if head in PERSON_ROLES:
            return "anonymous"
        return "organisation" if head in ORG_NOUNS or not head.endswith("s") else "anonymous"
    name_words = {_base(t[0]) for t in _tokens(name)}
    lead = (_head_desc(phrase) if lead is None else lead) - PERSON_ROLES
    media_name = name_words & {"news", "television", "tv", "radio", "press"}
    if (name_words & OUTLETS and len(name_words) <= 3) or media_name or (
            lead & MEDIA_WORDS and not words & (PERSON_ROLES | TITLES)):
        return "media"
    if "police" in name_words:
        return "official"
    personal = words & (TITLES | PERSON_ROLES | HONORIFICS)
    plural = len(name_words) > 1 and name.split()[-1].endswith("ers")
    if name_words & ORG_WORDS or name.isupper() or len(name_words) >= 4 or (lead & ORG_NOUNS and not personal) or (
            plural and not personal) or any(t[0].isalpha() and t[0].isupper() and len(t[0]) > 1 for t in _tokens(name)):
        return "organisation"
    if words & PERSON_ROLES and not (words | {_key(w) for w in phrase.split()}) & OFFICIAL_OVERRIDE:
        return "person"
    return "official" if words & TITLES else "person"


def _text_entities(text: str) -> list[_Entity]:
    """Names found anywhere in the article, typed from their nearest descriptors (None without evidence)."""
    out: list[_Entity] = []
    prev_end = 0
    for s, e, poss, pre in _runs(text):
        name = re.sub(r"['’]s$", "", text[s:e]) if poss else text[s:e]
        lo = max(prev_end, pre - 50, text.rfind("\n", 0, pre) + 1, max(text.rfind(c, 0, pre) for c in ".;:!?\"“”") + 1)
        near = []
        for tok in reversed(_tokens(text, lo, pre)[-4:]):
            if _key(tok[0]) in BREAKS | STOP - {"a", "an", "the"} or _is_cap(tok[0]):
                break
            near.insert(0, tok[0])
        before = " ".join(near) + " " + text[pre:s]
        app = re.match(r",\s+((?:a|an|the|who|whose|its|his|her|one|former|\d+)\b[^,.;]*|(?:[a-z-]+ ){0,2}(?:"
                       + "|".join(sorted(TITLES | PERSON_ROLES)) + r")\b[^,.;]*)", text[e:e + 120])
        phrase = before + name + (", " + app.group(1) if app else "")
        words = _desc(before + " " + (app.group(1) if app else ""))
        personal = words & (TITLES | PERSON_ROLES | HONORIFICS) or (app and re.match(r"\d|who", app.group(1)))
        kind = _classify(phrase, name, "", words) if personal or words & (ORG_NOUNS | MEDIA_WORDS) else None
        if name.isupper() and (len(name) < 3 or re.match(r"\s*[,–-]", text[e:e + 3])):
            continue  # a dateline ("MINSK, Nov 12") or a two-letter word, not an organisation
        if kind is None and ({_base(t[0]) for t in _tokens(name)} & ORG_WORDS or name.isupper()):
            kind = "organisation"
        prior = [_key(t[0]) for t in _tokens(text, max(0, pre - 30), pre)]
        prior = prior[:-1] if prior[-1:] == ["the"] else prior
        seg = text[max(0, pre - 200) : pre]
        quoted = seg.rfind("“") > seg.rfind("”") or seg.count('"') % 2 == 1
        place = bool(prior[-1:] and prior[-1] in LOCATIVE) or quoted
        out.append(_Entity(s, name, kind, phrase, end=e, place=place))
        prev_end = e
    return out


def _find_fuller(name: str, pool: list[_Entity]) -> _Entity | None:
    """The fullest earlier entity whose name contains `name`'s words in order (or whose initials spell it)."""
    want = [_base(t[0]) for t in _tokens(name) if _key(t[0]) not in HONORIFICS]
    best, best_rank = None, (0, False)
    for ent in pool if want else []:
        have = [_base(t[0]) for t in _tokens(ent.name)]
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
            words = {_base(t[0]) for t in _tokens(getattr(ent, field))}
            if noun in words and stems <= {w.rstrip("s") for w in words}:
                return ent
    if person_role or modifiers:
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
            if ent.type == wanted and not ent.source and (wanted or len(_tokens(ent.name)) > 1):
                counts[ent.name] = counts.get(ent.name, 0) + len(re.findall(
                    r"\b" + re.escape(_tokens(ent.name)[0][0]) + r"\b", text[max(0, start - WINDOW) : start]))
        if counts:
            top = max(counts.values())
            return next(e for e in pool if counts.get(e.name) == top and e.type == wanted)
    return None


def resolve(text: str, claims: list[Claim]) -> None:
    """Fill `resolved` and `type` of every source of `claims` (an article's claims in text order) in place."""
    try:
        _resolve(text or "", claims)
    except Exception:  # never fail an analysis over a naming heuristic
        for claim in claims:
            for src in claim.sources:
                src.resolved = src.resolved or src.text
                src.type = src.type or "person"


def _resolve(text: str, claims: list[Claim]) -> None:
    names = sorted(_text_entities(text), key=lambda e: e.start)
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
    first = _key(phrase.split()[0]) if phrase.split() else ""
    if not phrase:
        return _Entity(src.start, src.text or "", "anonymous", "", True, named=False)
    if first in PRONOUNS and len(phrase.split()) == 1:
        return _pronoun(first, src, pool, phrase)
    name, head, words = _parse(phrase)
    own = _classify(phrase, name, head, words)
    if name is None:
        toks = [_base(t[0]) for t in _tokens(phrase)]
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
        kind = own
        if bare:
            lead = _base(_tokens(fuller.name)[0][0]) == _base(_tokens(name)[0][0])
            kind = fuller.type or ("organisation" if lead and len(_tokens(name)) == 1 else "person")
        return _Entity(src.start, fuller.name, kind, phrase + " " + fuller.phrase, True)
    if bare and len(_tokens(name)) == 1 and own == "person":
        own = "organisation"
    return _Entity(src.start, name, own, phrase, True)


def _pronoun(word: str, src: Source, pool: list[_Entity], phrase: str) -> _Entity:
    """A pronoun takes the most recent suitable antecedent (a person for he/she) and its type."""
    if word in PERSON_PRONOUNS:
        for evidenced in (True, False):
            for ent in reversed(pool):
                singular = ent.type in PERSON_TYPES or (ent.type == "anonymous" and not ent.phrase.endswith("s"))
                if (evidenced and singular) or (not evidenced and ent.type is None and len(_tokens(ent.name)) > 1
                                                 and not ent.place):
                    full = None if ent.source else _find_fuller(ent.name, [e for e in pool if e.start < ent.start])
                    ent = full or ent
                    return _Entity(src.start, ent.name, ent.type or "person", ent.phrase, True, named=ent.named)
    else:
        for ent in reversed(pool):
            if ent.source and ent.type not in PERSON_TYPES and (word in ("it", "its") or ent.type != "document"):
                return _Entity(src.start, ent.name, ent.type, ent.phrase, True, named=ent.named)
    return _Entity(src.start, phrase, "anonymous", phrase, True, named=False)

"""Training and evaluation examples from the bundled corpus, a user's JSONL and the public sets.

Every example is a (claim, context) pair with the set of labels it may have. The public
sets label different facets, so most of their examples are partial: a CheckThat OBJ
sentence is "fact or attribution", a PolNeAR sentence with no attribution is "fact or
opinion". The loss (`losses.partial_nll`) maximises the probability of the allowed set.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from stanceclf.labels import LABELS

from . import realnews

CORPUS = Path(__file__).resolve().parent.parent / "seeds" / "corpus.jsonl"
PUBLIC = ("checkthat", "polnear", "webis", "babe")  # their dev parts steer checkpoint selection in training
SPEECH_CUE = re.compile(
    r"\b(say|says|said|saying|tell|tells|told|telling|announc\w*|state|states|stated|stating|statements?|"
    r"claim\w*|deny|denies|denied|denying|confirm\w*|add|adds|added|adding|note|notes|noted|noting|warn\w*|"
    r"insist\w*|argu\w*|write|writes|wrote|written|writing|report\w*|according|explain\w*|acknowledg\w*|"
    r"assert\w*|tweet\w*|declar\w*|alleg\w*|admit\w*|suggest\w*|ask|asks|asked|asking|urge|urges|urged|urging|"
    r"describ\w*|comment\w*|reply|replies|replied|replying|respond\w*|testif\w*|promis\w*|predict\w*|"
    r"reveal\w*|disclos\w*|interview\w*|quot\w*|post|posts|posted|posting|cite|cites|cited|citing)\b", re.I)


@dataclass
class Example:
    """One (claim, context) pair with its allowed labels, a loss weight and provenance."""

    claim: str
    context: str
    allowed: tuple[str, ...]
    dataset: str
    group: str
    weight: float = 1.0
    # (start, end, "SRC"|"CUE") in the claim; None = no span supervision, [] = no spans at all
    spans: list[tuple[int, int, str]] | None = None
    ignore: list[tuple[int, int]] = field(default_factory=list)  # regions the span loss skips
    teacher: list[float] | None = None  # a teacher model's label probabilities (`--teacher`)


class DataError(ValueError):
    """A training file with rows that cannot be trusted (named by file and line)."""


def _held_out(key: str, share: float = 0.2) -> bool:
    """Deterministic split by group key (article / link), so no group is on both sides."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


def annotated_examples(path: Path, split: str | None, problems: list[str]) -> Iterator[Example]:
    """Claims of a LABELS.md-format JSONL (the corpus or a user's); bad rows go to `problems`, skipped."""
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{path}:{n}: unreadable record ({e!r})")
                continue
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str) or not isinstance(
                    rec.get("claims"), list):
                problems.append(f"{path}:{n}: unreadable record (needs 'text' and 'claims')")
                continue
            if split and rec.get("split", "train") != split:
                continue
            yield from _record_examples(rec, "corpus" if path == CORPUS else path.stem, f"{path}:{n}", problems)


def report(problems: list[str], path: Path | str, strict: bool = False) -> None:
    """Warn about a file's bad rows (the first 20), or stop with `strict`."""
    if problems:
        for p in problems[:20]:
            print(f"warning: {p}", file=sys.stderr)
        if strict:
            raise DataError(f"{len(problems)} bad rows in {path} (first: {problems[0]}); fix them or drop --strict")
        print(f"warning: skipped {len(problems)} bad rows in {path}", file=sys.stderr)


def load_annotated(path: Path, split: str | None = None, strict: bool = False) -> list[Example]:
    """Claims of a LABELS.md-format JSONL, read directly (no cache); bad rows reported, skipped."""
    problems: list[str] = []
    examples = list(annotated_examples(path, split, problems))
    report(problems, path, strict)
    return examples


def _record_examples(rec: dict, dataset: str, where: str, problems: list[str]) -> list[Example]:
    """The labelled claims of one annotated article, each with the previous claim as context."""
    examples, previous, text = [], "", rec["text"]
    for c in rec["claims"]:
        label = c.get("label")
        if c.get("kind") == "meta" or (label is None and c.get("kind") is not None):
            continue
        if label not in LABELS:
            problems.append(f"{where}: unknown label {label!r}")
            continue
        if text[c.get("start", -1) : c.get("end", -1)] != c.get("text"):
            problems.append(f"{where}: offsets do not match claim text {str(c.get('text'))[:40]!r}")
            continue
        examples.append(Example(c["text"], previous, (label,), dataset, str(rec.get("id", where)),
                                spans=claim_spans(c)))
        previous = c["text"]
    return examples


def examples_of(records: list[dict], dataset: str) -> list[Example]:
    """Examples of annotated records that must be clean (the real-news set): a bad one is an error."""
    problems: list[str] = []
    out = [ex for rec in records for ex in _record_examples(rec, dataset, str(rec["id"]), problems)]
    if problems:
        raise DataError(f"{len(problems)} bad claims in the {dataset} annotations (first: {problems[0]})")
    return out


def claim_spans(claim: dict) -> list[tuple[int, int, str]]:
    """Source and cue spans of an annotated claim, relative to the claim (sources outside it,
    such as the speaker of a continuing quote, are left out)."""
    out = []
    parts = [(s, "SRC") for s in claim.get("sources") or []] + [(claim.get("cue"), "CUE")]
    for span, kind in parts:
        if span and claim["start"] <= span["start"] < span["end"] <= claim["end"]:
            out.append((span["start"] - claim["start"], span["end"] - claim["start"], kind))
    return out


def load_checkthat(root: Path, split: str) -> Iterator[Example]:
    """CheckThat subjectivity: SUBJ -> opinion, OBJ -> fact or attribution; no context."""
    with open(FILES["checkthat"](root, split)[0], encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            allowed = ("opinion",) if row["label"] == "SUBJ" else ("fact", "attribution")
            yield Example(row["sentence"], "", allowed, "checkthat", row["sentence_id"])


# A negated or refused speech act attributes no content: LABELS.md calls it a fact.
NON_ANSWER = re.compile(
    r"\b(declin\w*|refus\w*)\b|\bno comment\b|\b(not|n't|never)\b.*\b(respond|return|reply|replied|comment|say|said|"
    r"specif\w*|elaborat\w*|answer\w*)\b|\b(could|can)(n't| not) be reached\b", re.I)


def is_non_answer(attr: dict) -> bool:
    """A PolNeAR cue that is a non-answer ("declined to comment", "did not respond to requests")."""
    return bool(NON_ANSWER.search(attr.get("cue_text") or ""))


def is_speech(attr: dict) -> bool:
    """A PolNeAR attribution LABELS.md calls attribution: in-sentence speech cue, not the writer's I/we,
    not a non-answer."""
    source = (attr.get("source_text") or "").strip().lower()
    return bool(attr["cue_in_sentence"]) and source not in ("i", "we") and bool(
        SPEECH_CUE.search(attr.get("cue_text") or "")) and not is_non_answer(attr)


def polnear_speech(sentence: dict) -> bool | None:
    """True: a speech/publication cue in the sentence; False: no attribution; None: left out."""
    if sentence["label_hint"] == "no_attribution":
        return False
    return True if any(is_speech(a) for a in sentence["attributions"]) else None


def polnear_spans(sentence: dict) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
    """Source and cue spans of the speech attributions (clipped to the sentence), and the spans of
    its other attributions, which the span loss ignores rather than calling them O."""
    n = len(sentence["text"])
    spans, ignore = [], []
    for attr in sentence["attributions"]:
        for key, kind in (("source_in_sentence", "SRC"), ("cue_in_sentence", "CUE")):
            for sp in attr[key]:
                start, end = max(0, sp["start"]), min(n, sp["end"])
                if end <= start:
                    continue
                if is_speech(attr):
                    spans.append((start, end, kind))
                else:
                    ignore.append((start, end))
    return spans, ignore


def load_polnear(root: Path, split: str) -> Iterator[Example]:
    """PolNeAR as speech attribution (LABELS.md): positives attribution, negatives fact or opinion."""
    previous: dict[str, str] = {}
    with open(FILES["polnear"](root, split)[0], encoding="utf-8") as f:
        for line in f:
            s = json.loads(line)
            context = previous.get(s["doc_id"], "")
            previous[s["doc_id"]] = s["text"]
            speech = polnear_speech(s)
            if speech is None:
                continue
            allowed = ("attribution",) if speech else ("fact", "opinion")
            spans, ignore = polnear_spans(s)
            yield Example(s["text"], context, allowed, "polnear", s["doc_id"], spans=spans, ignore=ignore)


def load_webis(root: Path, split: str) -> Iterator[Example]:
    """Webis editorials' mapped labels; 20% of editorials (by doc_id hash) form our dev part. An
    editorial in the real-news set stays on its side: real-news dev never trains, real-news train
    never scores."""
    previous: dict[str, str] = {}
    excluded = realnews.split_ids("dev" if split == "train" else "train")
    with open(FILES["webis"](root, split)[0], encoding="utf-8") as f:
        for line in f:
            s = json.loads(line)
            context = previous.get(s["doc_id"], "")
            previous[s["doc_id"]] = s["text"]
            if s["label_mapped"] not in LABELS or _held_out(s["doc_id"]) != (split == "dev"):
                continue
            if f"webis:{s['doc_id']}" in excluded:
                continue
            yield Example(s["text"], context, (s["label_mapped"],), "webis", s["doc_id"])


def load_babe(root: Path, split: str) -> Iterator[Example]:
    """BABE: writer's opinion -> opinion, entirely factual -> fact or attribution; 20% of links dev."""
    with open(FILES["babe"](root, split)[0], encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter=";"):
            label = row["label_opinion"]
            if label.startswith("Expresses"):
                allowed = ("opinion",)
            elif label == "Entirely factual":
                allowed = ("fact", "attribution")
            else:
                continue
            if _held_out(row["news_link"]) == (split == "dev"):
                yield Example(row["text"], "", allowed, "babe", row["news_link"])


def load_real(root: Path, split: str) -> Iterator[Example]:
    """The real-news annotations (`annotations/`, stand-off), joined with their article texts."""
    path = FILES["real"](root, split)[0]
    if not path.exists():
        raise DataError(f"{path}: no real-news {split} annotations in this installation")
    try:
        records = realnews.load(path, root)
    except realnews.StandoffError as e:
        raise DataError(str(e)) from None
    yield from examples_of(records, "real")


LOADERS = {"checkthat": load_checkthat, "polnear": load_polnear, "webis": load_webis, "babe": load_babe,
           "real": load_real}
# The files each public loader reads, its own first: the loaders open them from here and the
# `datasets` cache key (training/hfdata.py) hashes them, so the two cannot drift apart.
FILES: dict[str, Callable[[Path, str], list[Path]]] = {
    "checkthat": lambda root, split: [root / "checkthat_subjectivity_en" / ("train_en.tsv" if split == "train"
                                                                           else "dev_en.tsv")],
    "polnear": lambda root, split: [root / "polnear" / f"{split}_sentences.jsonl"],
    "webis": lambda root, split: [root / "webis_editorials" / "train_sentences.jsonl", realnews.SPLIT],
    "babe": lambda root, split: [root / "babe" / "final_labels_SG2_train.csv"],
    "real": lambda root, split: [realnews.ANNOTATIONS / f"{split}.jsonl",
                                 *(root / t for files in realnews.TEXT_FILES.values() for t in files)],
}


@dataclass
class Source:
    """What a data set name reads: its files and a generator of its examples (bad rows of an
    annotated file go to the `problems` list it is given; `report` tells them)."""

    name: str
    split: str
    files: list[Path]
    examples: Callable[[list[str]], Iterator[Example]]
    path: Path | None = None  # an annotated file (the corpus or a user's): where its problems are reported


def source(name: str, split: str, public_root: Path | None) -> Source:
    """The data set `name` (`corpus`, a public set, `real`, or a path to a LABELS.md-format JSONL)."""
    if name == "corpus":
        part = "train" if split == "train" else "test"
        return Source(name, split, [CORPUS], lambda problems: annotated_examples(CORPUS, part, problems), CORPUS)
    if name in LOADERS:  # the public sets, and "real" (annotations here, article texts in the public folder)
        if public_root is None:
            raise DataError(f"{name} is a public set: pass --public-data PATH (e.g. ../shared/data)")
        root = Path(public_root)
        return Source(name, split, FILES[name](root, split), lambda problems: LOADERS[name](root, split))
    path = Path(name)
    if not path.exists():
        raise DataError(f"{name}: not a data set name ({', '.join(('corpus', *LOADERS))}) nor a file")
    # the whole file whatever the split: one cache entry for training and evaluation
    return Source(name, "all", [path], lambda problems: annotated_examples(path, None, problems), path)


def read(name: str, split: str, public_root: Path | None, strict: bool = False) -> list[Example]:
    """A data set's examples read directly from its files, with no cache (what `load` did before
    `datasets`; the tests and benchmarks/data_loading.py compare the two)."""
    src, problems = source(name, split, public_root), []
    examples = list(src.examples(problems))
    report(problems, src.path or name, strict)
    return examples


def load(name: str, split: str, public_root: Path | None, strict: bool = False,
         cache_dir: str | Path | None = None) -> list[Example]:
    """Load a data set by name (`corpus`, a public set, `real`) or by path to a LABELS.md-format
    JSONL, through Hugging Face `datasets` with a cache keyed by its files' sha256 (training/hfdata.py)."""
    from .hfdata import load_examples

    return load_examples(name, split, public_root, strict, cache_dir)

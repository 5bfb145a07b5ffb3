"""Real-news annotations, stored stand-off: article ids, text hashes, offsets and labels, no text.

The article texts belong to their publishers and stay in the public data directory. Each set
has one rule that builds an article's text from its public file (`article_text`); annotators
mark up that exact string in the `.ann` line format of the bundled corpus (`seeds/README.md`),
and `align` turns their lines into offsets by finding each claim in the text in order. The
stand-off records (`annotations/*.jsonl`) hold the text's sha256; `load` joins them with the
text again and refuses a text that is missing or has changed.

    python -m training.realnews export --public-data ../shared/data --out DIR [--split dev]
    python -m training.realnews check FILE.ann --public-data ../shared/data [--id ID]
    python -m training.realnews compile DIR --split dev --public-data ../shared/data --out FILE
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .corpus import _TAG, CorpusError, _parse_span_markup, line_claim

ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS = ROOT / "annotations"
SPLIT = ANNOTATIONS / "split.jsonl"
SETS = ("polnear", "basil", "webis", "ukraine", "reuters", "extraction")
# One character for one character, so offsets survive: typographic quotes and dashes match plain ones.
_FOLD = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'",
                       "–": "-", "—": "-", "‐": "-", "‑": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " "})


class StandoffError(ValueError):
    """An annotation whose article text is missing, has changed, or does not match its lines."""


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_name(article_id: str) -> str:
    """A file-system-safe name for an article id ("webis:guardian/x" -> "webis__guardian_x")."""
    return article_id.replace(":", "__").replace("/", "_")


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# The public file(s) each set's texts are built from, relative to the public data directory.
TEXT_FILES = {"polnear": ("polnear/train_articles.jsonl", "polnear/dev_articles.jsonl"),
              "basil": ("basil/train_articles.jsonl",), "webis": ("webis_editorials/train_editorials.jsonl",),
              "ukraine": ("ukraine_news_bias/train_sentences.jsonl",), "reuters": ("reuters21578/articles.jsonl",),
              "extraction": ("article_extraction/ground-truth.json",)}


@functools.lru_cache(maxsize=8)
def _index(set_name: str, public: Path) -> dict[str, dict[str, Any]]:
    """Every article of one public set: id -> {text, outlet}. Each set's text rule is here."""
    out: dict[str, dict[str, Any]] = {}
    if set_name == "polnear":
        # the published text file, unchanged (its first line is the title)
        for split, path in zip(("train", "dev"), TEXT_FILES["polnear"]):
            for r in _jsonl(public / path):
                out[f"polnear:{r['doc_id']}"] = {"text": r["text"], "outlet": r["publisher"], "part": split}
    elif set_name == "basil":
        # headline line, then one line per paragraph, its sentences joined by one space
        for r in _jsonl(public / TEXT_FILES["basil"][0]):
            paras: dict[int, list[str]] = {}
            for s in r["sentences"]:
                if s["kind"] == "body":
                    paras.setdefault(s["paragraph"], []).append(s["text"])
            lines = [r["title"]] + [" ".join(paras[k]) for k in sorted(paras)]
            out[f"basil:{r['doc_id']}"] = {"text": "\n".join(lines), "outlet": r["outlet"], "part": "train"}
    elif set_name == "webis":
        # the set's own reconstruction (title, blank line, paragraphs separated by blank lines)
        for r in _jsonl(public / TEXT_FILES["webis"][0]):
            out[f"webis:{r['doc_id']}"] = {"text": r["text_reconstructed"], "outlet": r["outlet"], "part": "train"}
    elif set_name == "ukraine":
        # no paragraph information survives: one sentence a line, in article order (line 0: headline)
        rows: dict[str, list[tuple[int, str]]] = {}
        for r in _jsonl(public / TEXT_FILES["ukraine"][0]):
            rows.setdefault(r["article_id"], []).append((r["position"], r["text"]))
        for aid, sents in rows.items():
            out[f"ukraine:{aid}"] = {"text": "\n".join(t for _, t in sorted(sents)), "outlet": "ukraine-news",
                                     "part": "train"}
    elif set_name == "reuters":
        # title line, then the dateline and the first paragraph on one line, then one line a paragraph
        for r in _jsonl(public / TEXT_FILES["reuters"][0]):
            paras = list(r["paragraphs"])
            if r.get("dateline") and paras:
                paras[0] = f"{r['dateline']} {paras[0]}"
            out[str(r["id"])] = {"text": "\n".join([r["title"], *paras]), "outlet": "reuters", "part": "train"}
    elif set_name == "extraction":
        # the hand-checked article body as published in the benchmark (paragraphs by blank lines)
        truth = json.loads((public / TEXT_FILES["extraction"][0]).read_text(encoding="utf-8"))
        for key, v in truth.items():
            out[f"extraction:{key}"] = {"text": v["articleBody"], "outlet": urlparse(v["url"]).netloc,
                                        "part": "train"}
    else:
        raise StandoffError(f"unknown set {set_name!r}; one of {SETS}")
    return out


def set_of(article_id: str) -> str:
    return article_id.split(":", 1)[0]


def article_text(article_id: str, public: Path) -> str:
    """The text of one article, built from its public file by its set's rule."""
    try:
        index = _index(set_of(article_id), Path(public))
    except FileNotFoundError as e:
        raise StandoffError(f"{article_id}: its public data is missing ({e.filename}); "
                            "pass --public-data pointing at the shared data directory") from None
    if article_id not in index:
        raise StandoffError(f"{article_id}: no such article in the public data under {public}")
    return index[article_id]["text"]


def extraction_html(article_id: str, public: Path) -> str:
    """The raw page of an `article_extraction` article (for the HTML benchmarks)."""
    path = Path(public) / "article_extraction" / "html" / f"{article_id.split(':', 1)[1]}.html.gz"
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def _normalised(text: str) -> tuple[str, list[int]]:
    """Text with folded quotes/dashes and whitespace runs as one space, and each char's original index."""
    chars, where = [], []
    folded = text.translate(_FOLD)
    for i, ch in enumerate(folded):
        if ch.isspace():
            if chars and chars[-1] == " ":
                continue
            ch = " "
        chars.append(ch)
        where.append(i)
    return "".join(chars), where


def align(ann: str, text: str, where: str = "<ann>") -> list[dict]:
    """Claims of an `.ann` body found in order in `text`; every non-space character must be covered."""
    body = ann.partition("\n---\n")[2] if "\n---\n" in ann else ann
    norm, orig = _normalised(text)
    claims: list[dict] = []
    mentions: list[dict] = []
    cursor, n_cursor, sentence = 0, 0, -1
    line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    nonempty = [s for s in line_starts if text[s:text.find("\n", s) if text.find("\n", s) >= 0 else len(text)].strip()]
    for n, line in enumerate(body.splitlines(), 1):
        if not line.strip():
            continue
        at = f"{where}:{n}"
        m = _TAG.match(line.rstrip())
        if not m:
            raise StandoffError(f"{at}: a claim line starts with [F], [A], [O], [HF], [HA], [HO], [M] or [+F]...")
        plus, kind_letter, head_label, cont, body_text = m.groups()
        try:
            plain, sources, cue = _parse_span_markup(body_text, at)
        except CorpusError as e:
            raise StandoffError(str(e)) from None
        lead = len(plain) - len(plain.lstrip())
        plain_n, plain_orig = _normalised(plain.strip())
        if not plain_n:
            raise StandoffError(f"{at}: empty claim")
        found = norm.find(plain_n, n_cursor)
        if found < 0:
            raise StandoffError(f"{at}: claim text not found in the article after the previous claim "
                                f"(copy it exactly): {plain.strip()[:60]!r}")
        start, end = orig[found], orig[found + len(plain_n) - 1] + 1
        if text[cursor:start].strip():
            raise StandoffError(f"{at}: text between the previous claim and this one is not annotated: "
                                f"{text[cursor:start].strip()[:60]!r}")
        n_cursor, cursor = found + len(plain_n), end

        for s in sources + ([cue] if cue else []):
            # plain-text offsets -> normalised claim offsets -> article offsets
            ns = next(k for k, o in enumerate(plain_orig) if o >= s["start"] - lead)
            ne = max(k for k, o in enumerate(plain_orig) if o < s["end"] - lead) + 1
            s["start"], s["end"] = orig[found + ns], orig[found + ne - 1] + 1
            s["text"] = text[s["start"]:s["end"]]
        if not plus:
            sentence += 1
        try:
            kind, label, sources = line_claim(kind_letter, head_label, cont, sources, cue, mentions, at)
        except CorpusError as e:
            raise StandoffError(str(e)) from None
        flags = ["continuing-quote"] if cont else []
        paragraph = max(i for i, s in enumerate(nonempty) if s <= start) if nonempty else 0
        claims.append({"text": text[start:end], "start": start, "end": end, "kind": kind, "paragraph": paragraph,
                       "sentence": sentence, "label": label, "sources": sources, "cue": cue, "flags": flags})
    if not claims:
        raise StandoffError(f"{where}: no claims")
    if text[cursor:].strip():
        raise StandoffError(f"{where}: the article's end is not annotated: {text[cursor:].strip()[:60]!r}")
    return claims


def to_standoff(article_id: str, text: str, claims: list[dict], split: str, **extra: Any) -> dict:
    """A stand-off record: no article text, only its hash, offsets and labels."""
    out = []
    for c in claims:
        out.append({"start": c["start"], "end": c["end"], "kind": c["kind"], "paragraph": c["paragraph"],
                    "sentence": c["sentence"], "label": c["label"],
                    "sources": [{"start": s["start"], "end": s["end"], "type": s["type"],
                                 "resolved": _resolved_ref(text, s["resolved"])} for s in c["sources"]],
                    "cue": [c["cue"]["start"], c["cue"]["end"]] if c["cue"] else None, "flags": c["flags"]})
    return {"id": article_id, "split": split, "sha256": sha256(text), "claims": out, **extra}


def _resolved_ref(text: str, name: str) -> list[int] | str:
    """A resolved name as the offsets of its first occurrence in the text, or the name when it has none."""
    at = text.find(name)
    return [at, at + len(name)] if at >= 0 else name


def from_standoff(record: dict, public: Path) -> dict:
    """Join a stand-off record with its article text: a corpus-format record (LABELS.md JSONL)."""
    text = article_text(record["id"], public)
    if sha256(text) != record["sha256"]:
        raise StandoffError(f"{record['id']}: the article text in {public} differs from the annotated one "
                            "(sha256 mismatch); the annotation cannot be used with it")
    claims = []
    for c in record["claims"]:
        sources = []
        for s in c["sources"]:
            r = s["resolved"]
            sources.append({"text": text[s["start"]:s["end"]], "start": s["start"], "end": s["end"],
                            "resolved": text[r[0]:r[1]] if isinstance(r, list) else r, "type": s["type"]})
        cue = {"text": text[c["cue"][0]:c["cue"][1]], "start": c["cue"][0], "end": c["cue"][1]} if c["cue"] else None
        claims.append({"text": text[c["start"]:c["end"]], "start": c["start"], "end": c["end"], "kind": c["kind"],
                       "paragraph": c["paragraph"], "sentence": c["sentence"], "label": c["label"],
                       "sources": sources, "cue": cue, "flags": c.get("flags", [])})
    return {"id": record["id"], "split": record["split"], "text": text, "claims": claims}


def load(path: Path, public: Path) -> list[dict]:
    """Every annotated article of a stand-off file, joined with its text (clear error if missing/changed)."""
    return [from_standoff(r, public) for r in _jsonl(Path(path))]


def split_ids(split: str | None = None, path: Path = SPLIT) -> set[str]:
    """Article ids of the real-news dev or train split (all of them with `split=None`)."""
    if not path.exists():
        return set()
    return {r["id"] for r in _jsonl(path) if split is None or r["split"] == split}


# (set, part of the public set, dev count, train count): whole articles, spread over outlets
PLAN = (("polnear", "dev", 20, 0), ("polnear", "train", 0, 35), ("basil", "train", 9, 15), ("webis", "train", 9, 20),
        ("ukraine", "train", 10, 20), ("reuters", "train", 10, 36), ("extraction", "train", 14, 30))
LENGTH = (1400, 5000)  # characters: whole articles that two people can annotate in one sitting


def _group(article_id: str) -> str:
    """Articles that must fall on the same side: a BASIL event's three outlets."""
    if article_id.startswith("basil:"):
        return "basil:" + article_id.split("/")[-1].rsplit("_", 1)[0]
    return article_id


def select(public: Path, seed: int = 16) -> list[dict]:
    """The fixed dev/train choice: per set, articles in the length range, round-robin over outlets,
    in an order given by a seeded hash of the id (reproducible, no look at the content). Chosen
    articles that `stanceclf.language` flags as non-English are then dropped (the model reads English)."""
    from stanceclf import language

    rows: list[dict] = []
    used_groups: set[str] = set()
    for set_name, part, n_dev, n_train in PLAN:
        pool = [(aid, a) for aid, a in _index(set_name, Path(public)).items()
                if a["part"] == part and LENGTH[0] <= len(a["text"]) <= LENGTH[1]]
        pool.sort(key=lambda x: sha256(f"{seed}:{x[0]}"))
        by_outlet: dict[str, list[str]] = {}
        for aid, a in pool:
            by_outlet.setdefault(a["outlet"], []).append(aid)
        order = []
        while any(by_outlet.values()):
            for outlet in sorted(by_outlet):
                if by_outlet[outlet]:
                    order.append(by_outlet[outlet].pop(0))
        for split, n in (("dev", n_dev), ("train", n_train)):
            taken = 0
            for aid in order:
                if taken == n:
                    break
                if _group(aid) in used_groups:
                    continue
                used_groups.add(_group(aid))
                taken += 1
                text = _index(set_name, Path(public))[aid]["text"]
                if language.check(text):
                    continue
                rows.append({"id": aid, "split": split, "set": set_name, "part": part,
                             "outlet": _index(set_name, Path(public))[aid]["outlet"], "chars": len(text),
                             "sha256": sha256(text)})
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.realnews", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("select", help="choose the dev/train articles and write annotations/split.jsonl")
    s.add_argument("--public-data", type=Path, required=True)
    e = sub.add_parser("export", help="write the selected articles' texts to a scratch folder (never the repo)")
    e.add_argument("--public-data", type=Path, required=True)
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--split", choices=["dev", "train"])
    c = sub.add_parser("check", help="validate one .ann against its article text")
    c.add_argument("ann", type=Path)
    c.add_argument("--public-data", type=Path, required=True)
    c.add_argument("--id", help="article id (default: the .ann header's id)")
    k = sub.add_parser("compile", help="a folder of .ann files -> one stand-off JSONL")
    k.add_argument("folder", type=Path)
    k.add_argument("--split", choices=["dev", "train"], required=True)
    k.add_argument("--public-data", type=Path, required=True)
    k.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    if args.cmd == "select":
        rows = select(args.public_data)
        SPLIT.parent.mkdir(exist_ok=True)
        SPLIT.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        print(f"wrote {len(rows)} articles to {SPLIT}")
        return 0
    if args.cmd == "export":
        args.out.mkdir(parents=True, exist_ok=True)
        rows = [r for r in _jsonl(SPLIT) if args.split in (None, r["split"])]
        for r in rows:
            (args.out / f"{file_name(r['id'])}.txt").write_text(article_text(r["id"], args.public_data),
                                                               encoding="utf-8")
        print(f"wrote {len(rows)} articles to {args.out}")
        return 0
    if args.cmd == "check":
        raw = args.ann.read_text(encoding="utf-8")
        aid = args.id or _header(raw).get("id")
        try:
            claims = align(raw, article_text(aid, args.public_data), str(args.ann))
        except StandoffError as err:
            print(f"ERROR {err}")
            return 1
        labels = [c["label"] or "meta" for c in claims]
        print(f"OK {aid}: {len(claims)} claims " + ", ".join(f"{k} {labels.count(k)}" for k in sorted(set(labels))))
        return 0
    bad = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for path in sorted(args.folder.glob("*.ann")):
            raw = path.read_text(encoding="utf-8")
            aid = _header(raw).get("id")
            try:
                text = article_text(aid, args.public_data)
                rec = to_standoff(aid, text, align(raw, text, str(path)), args.split)
            except StandoffError as err:
                print(f"ERROR {err}", file=sys.stderr)
                bad += 1
                continue
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return 1 if bad else 0


def _header(raw: str) -> dict[str, str]:
    head = raw.partition("\n---\n")[0]
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in head.splitlines()) if v}


if __name__ == "__main__":
    sys.exit(main())

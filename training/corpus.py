"""Compile the bundled corpus: hand-written `.ann` articles -> `seeds/corpus.jsonl`.

Authors write each article once, in a line format where every line is one claim
(see `seeds/README.md`); this module computes the article text and every offset,
so no offset is ever typed by hand. The compiled records use the same format a
user's own annotated JSONL uses (LABELS.md), so one loader reads both.

    python -m training.corpus build            # all of seeds/articles -> seeds/corpus.jsonl
    python -m training.corpus check FILE.ann   # validate one file, print its claims
    python -m training.corpus stats            # label balance and repeated sentence frames (writes nothing)
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import re
import sys
from pathlib import Path

from stanceclf.labels import LABELS, SOURCE_TYPES

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "seeds" / "articles"
CORPUS = ROOT / "seeds" / "corpus.jsonl"
TEST_SPLIT = ROOT / "seeds" / "test_split.txt"

_TAG = re.compile(r"^\[(\+)?(H|M|F|A|O)([FAO])?(?:\s+cont=([^\]]+))?\]\s?(.*)$")
_SPAN = re.compile(r"\{([sc]):([^{}]*)\}")
_AGENTLESS = re.compile(r"^(reportedly|allegedly)\b|\b(is|are|was|were|been|be)\b", re.I)
_LETTER = {"F": "fact", "A": "attribution", "O": "opinion"}


class CorpusError(ValueError):
    """An `.ann` file that does not follow the authoring format; names file and line."""


def _parse_span_markup(body: str, where: str) -> tuple[str, list[dict], dict | None]:
    """Strip `{s:..}` / `{c:..}` markup from one line; offsets are relative to the line."""
    out, sources, cue, pos = [], [], None, 0
    plain_len = 0
    for m in _SPAN.finditer(body):
        out.append(body[pos : m.start()])
        plain_len += m.start() - pos
        kind, inner = m.group(1), m.group(2)
        if kind == "s":
            parts = inner.split("|")
            if len(parts) not in (2, 3):
                raise CorpusError(f"{where}: source needs {{s:TEXT|TYPE}} or {{s:TEXT|RESOLVED|TYPE}}")
            text, resolved, stype = (parts[0], parts[0], parts[1]) if len(parts) == 2 else parts
            if stype not in SOURCE_TYPES:
                raise CorpusError(f"{where}: unknown source type {stype!r}; use one of {SOURCE_TYPES}")
            sources.append({"text": text, "start": plain_len, "end": plain_len + len(text),
                            "resolved": resolved, "type": stype})
        else:
            text = inner
            if cue is not None:
                raise CorpusError(f"{where}: more than one cue {{c:...}} in a claim")
            cue = {"text": text, "start": plain_len, "end": plain_len + len(text)}
        out.append(text)
        plain_len += len(text)
        pos = m.end()
    out.append(body[pos:])
    plain = "".join(out)
    if "{" in plain or "}" in plain:
        raise CorpusError(f"{where}: unbalanced or malformed span markup")
    return plain, sources, cue


def line_claim(kind_letter: str, head_label: str | None, cont: str | None, sources: list[dict],
               cue: dict | None, mentions: list[dict], where: str) -> tuple[str, str | None, list[dict]]:
    """Kind, label and sources of one claim line, checked against the authoring rules. A continuing
    quote (`cont=NAME`) takes the last earlier source resolved to NAME; new sources join `mentions`."""
    if kind_letter == "H":
        kind, label = "headline", _LETTER.get(head_label or "")
        if label is None:
            raise CorpusError(f"{where}: a headline is [HF], [HA] or [HO]")
    elif kind_letter == "M":
        kind, label = "meta", None
    else:
        kind, label = "body", _LETTER[kind_letter]
    if cont:
        if label != "attribution" or sources:
            raise CorpusError(f"{where}: cont= marks a continuing quote: [A cont=NAME] with no {{s:}}")
        earlier = [s for s in mentions if s["resolved"] == cont.strip()]
        if not earlier:
            raise CorpusError(f"{where}: cont={cont!r} names no earlier source's resolved name")
        return kind, label, [dict(earlier[-1])]
    if label != "attribution" and (sources or cue):
        raise CorpusError(f"{where}: only attribution claims carry sources and cues")
    if label == "attribution" and cue is None:
        raise CorpusError(f"{where}: an attribution needs a cue {{c:...}} (continuing quotes use cont=)")
    # headlines drop the auxiliary of an agentless passive: "EXPORTS SEEN UP", "BOURSE SAID DELAYING"
    if label == "attribution" and not sources and not (_AGENTLESS.search(cue["text"]) or kind == "headline"):
        raise CorpusError(f"{where}: an attribution needs a source {{s:...}}; only an agentless "
                          "passive or 'reportedly' cue (or a headline's bare participle) may stand alone")
    mentions.extend(sources)
    return kind, label, sources


def parse_ann(path: Path) -> dict:
    """Parse one `.ann` file into a corpus record with article text and claim offsets."""
    raw = path.read_text(encoding="utf-8")
    header, sep, body = raw.partition("\n---\n")
    if not sep:
        raise CorpusError(f"{path}: missing the '---' line that ends the header")
    meta = {}
    for n, line in enumerate(header.splitlines(), 1):
        if line.strip():
            key, colon, value = line.partition(":")
            if not colon:
                raise CorpusError(f"{path}:{n}: header lines are 'key: value'")
            meta[key.strip()] = value.strip()
    for key in ("id", "topic", "region", "genre"):
        if key not in meta:
            raise CorpusError(f"{path}: header lacks {key!r}")
    parsep = {"blank": "\n\n", "single": "\n"}[meta.get("parsep", "blank")]
    first_line = len(header.splitlines()) + 2

    paragraphs: list[list[tuple[int, str]]] = [[]]
    for n, line in enumerate(body.splitlines(), first_line):
        if not line.strip():
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        paragraphs[-1].append((n, line.rstrip()))
    paragraphs = [p for p in paragraphs if p]

    text_parts: list[str] = []
    claims: list[dict] = []
    offset, sentence = 0, -1
    mentions: list[dict] = []
    for p_idx, para in enumerate(paragraphs):
        if p_idx:
            text_parts.append(parsep)
            offset += len(parsep)
        for l_idx, (n, line) in enumerate(para):
            where = f"{path}:{n}"
            m = _TAG.match(line)
            if not m:
                raise CorpusError(f"{where}: a claim line starts with [F], [A], [O], [HF], [HA], [HO], [M] or [+F]...")
            plus, kind_letter, head_label, cont, body_text = m.groups()
            if l_idx:
                text_parts.append(" ")
                offset += 1
            plain, sources, cue = _parse_span_markup(body_text, where)
            if not plain.strip():
                raise CorpusError(f"{where}: empty claim")
            if not plus:
                sentence += 1
            for span in sources + ([cue] if cue else []):
                span["start"] += offset
                span["end"] += offset
            kind, label, sources = line_claim(kind_letter, head_label, cont, sources, cue, mentions, where)
            claims.append({"text": plain, "start": offset, "end": offset + len(plain), "kind": kind,
                           "paragraph": p_idx, "sentence": sentence, "label": label,
                           "sources": sources, "cue": cue})
            text_parts.append(plain)
            offset += len(plain)
    text = "".join(text_parts)
    if meta.get("trailing") == "newline":
        text += "\n"
    record = {"id": meta["id"], "topic": meta["topic"], "region": meta["region"],
              "genre": meta["genre"], "text": text, "claims": claims}
    validate_record(record, str(path))
    return record


def validate_record(record: dict, where: str) -> None:
    """Check the offsets invariant and the label vocabulary of one corpus record."""
    text = record["text"]
    for c in record["claims"]:
        if text[c["start"] : c["end"]] != c["text"]:
            raise CorpusError(f"{where}: claim offsets do not match its text: {c['text'][:40]!r}")
        if c["label"] is not None and c["label"] not in LABELS:
            raise CorpusError(f"{where}: unknown label {c['label']!r}")
        for span in c["sources"] + ([c["cue"]] if c["cue"] else []):
            if text[span["start"] : span["end"]] != span["text"]:
                raise CorpusError(f"{where}: span offsets do not match its text: {span['text']!r}")


def test_ids() -> set[str]:
    """Ids of the held-out corpus test split (never trained or calibrated on)."""
    ids = set()
    for line in TEST_SPLIT.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            ids.add(line.split()[0])
    return ids


def build(out: Path | None = CORPUS, lenient: bool = False) -> list[dict]:
    """Compile every `.ann` file, tag the test split, and write the corpus JSONL (`out=None`: in memory only)."""
    held_out = test_ids() if TEST_SPLIT.exists() else set()
    records = []
    for path in sorted(ARTICLES.glob("*.ann")):
        try:
            rec = parse_ann(path)
        except CorpusError as e:
            if not lenient:
                raise
            print(f"skipped: {e}", file=sys.stderr)
            continue
        if rec["id"] != path.stem:
            raise CorpusError(f"{path}: id {rec['id']!r} must equal the file name")
        rec["split"] = "test" if rec["id"] in held_out else "train"
        rec["sha256"] = hashlib.sha256(rec["text"].encode("utf-8")).hexdigest()
        records.append(rec)
    if out is not None:
        with out.open("w", encoding="utf-8") as f:
            for rec in records:
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return records


_FRAME_WORD = re.compile(r"[A-Z][\w'’-]*|\d[\d,.]*%?")


def stats(records: list[dict]) -> dict:
    """Label balance, size, and sentence frames repeated across articles (a template smell)."""
    labels = collections.Counter(c["label"] or "meta" for r in records for c in r["claims"])
    types = collections.Counter(s["type"] for r in records for c in r["claims"] for s in c["sources"])
    frames = collections.defaultdict(set)
    for r in records:
        for c in r["claims"]:
            frame = _FRAME_WORD.sub("X", c["text"]).lower()
            if c["kind"] != "meta" and len(frame.split()) >= 5:
                frames[frame].add(r["id"])
    repeated = {f: sorted(ids) for f, ids in frames.items() if len(ids) > 1}
    return {"articles": len(records), "claims": sum(labels.values()),
            "by_topic": dict(collections.Counter(r["topic"] for r in records)),
            "by_genre": dict(collections.Counter(r["genre"] for r in records)),
            "by_region": dict(collections.Counter(r["region"] for r in records)),
            "labels": dict(labels), "source_types": dict(types),
            "repeated_frames": len(repeated), "repeated_examples": dict(list(repeated.items())[:20])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.corpus", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    build_cmd = sub.add_parser("build")
    build_cmd.add_argument("--lenient", action="store_true", help="skip invalid files instead of stopping")
    check = sub.add_parser("check")
    check.add_argument("files", nargs="+", type=Path)
    sub.add_parser("stats")
    args = parser.parse_args(argv)
    try:
        if args.cmd == "build":
            records = build(lenient=args.lenient)
            print(f"wrote {CORPUS.relative_to(ROOT)}: {len(records)} articles, "
                  f"{sum(len(r['claims']) for r in records)} claims")
        elif args.cmd == "check":
            for path in args.files:
                rec = parse_ann(path)
                for c in rec["claims"]:
                    src = "; ".join(f"{s['text']}->{s['resolved']} ({s['type']})" for s in c["sources"])
                    cue = c["cue"]["text"] if c["cue"] else ""
                    print(f"{c['paragraph']:>2}.{c['sentence']:<3} {c['kind'][:4]:<4} {c['label'] or '-':<11} "
                          f"{c['text'][:70]!r} {src} {cue}")
                print(f"{path}: OK, {len(rec['claims'])} claims")
        else:
            print(json.dumps(stats(build(out=None)), indent=1, ensure_ascii=False))
    except CorpusError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

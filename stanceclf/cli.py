"""The `stanceclf` command: analyse .txt files or JSONL records and print or write results.

    stanceclf analyze seeds/belarus_pardons.txt
    stanceclf analyze big.jsonl --format jsonl --output out.jsonl
    cat article.txt | stanceclf analyze -

Errors reach the user as one line on stderr and a non-zero exit code; a malformed JSONL
line or an unreadable file becomes an error record in JSONL output, and the run goes on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from stanceclf.errors import InputError, StanceclfError
from stanceclf.reading import decode, read_jsonl
from stanceclf.results import Document


def _records(paths: list[str], replace_errors: bool) -> Iterator[dict[str, Any]]:
    """Yield input records; unreadable inputs yield error records instead of stopping the run."""
    errors = "replace" if replace_errors else "strict"
    for path in paths:
        try:
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
            text = decode(data, path, errors)
        except (OSError, InputError) as e:
            yield {"error": str(e) if isinstance(e, InputError) else f"{path}: {e.strerror}", "file": path}
            continue
        if path.endswith(".jsonl"):
            for rec in read_jsonl(text.splitlines(), path):
                rec.setdefault("file", path)
                yield rec
        else:
            yield {"id": path, "text": text}


def _print_table(doc: Document, out: TextIO) -> None:
    out.write(f"== {doc.id}\n")
    for c in doc.claims:
        label = c.label or c.kind
        conf = f"{c.confidence:.2f}" if c.confidence is not None else "    "
        out.write(f"{label:<12} {conf}  {c.text}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="stanceclf", description="Label news claims as fact, attribution or opinion.")
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="analyse .txt files or JSONL records with a 'text' field ('-' = stdin)")
    a.add_argument("files", nargs="+")
    a.add_argument("--format", choices=["table", "jsonl"], default="table")
    a.add_argument("--model", help="model directory (default: the bundled model)")
    a.add_argument("--device", default="cpu", help="cpu or cuda")
    a.add_argument("--precision", default="fp32", choices=["fp32", "int8", "bf16", "fp16"])
    a.add_argument("--batch-size", type=int, default=64)
    a.add_argument("--output", help="write to this file instead of stdout")
    a.add_argument("--replace-errors", action="store_true", help="replace undecodable bytes with U+FFFD")
    args = parser.parse_args(argv)

    try:
        from stanceclf.classifier import ClaimClassifier

        clf = ClaimClassifier.from_pretrained(args.model, device=args.device, precision=args.precision)
    except StanceclfError as e:
        print(f"stanceclf: error: {e}", file=sys.stderr)
        return 2
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    failures = 0
    try:
        good: list[dict[str, Any]] = []

        def flush() -> None:
            for doc in clf.analyze_batch(good, batch_size=args.batch_size):
                if args.format == "jsonl":
                    out.write(json.dumps(doc.to_dict(), ensure_ascii=False) + "\n")
                else:
                    _print_table(doc, out)
            good.clear()

        for rec in _records(args.files, args.replace_errors):
            if "error" in rec:
                flush()
                failures += 1
                print(f"stanceclf: {rec['error']}", file=sys.stderr)
                if args.format == "jsonl":
                    out.write(json.dumps({"schema_version": 1, **rec}, ensure_ascii=False) + "\n")
                continue
            good.append(rec)
            if len(good) >= 32:
                flush()
        flush()
    finally:
        if args.output:
            out.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

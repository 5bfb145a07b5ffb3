"""The `stanceclf` command: analyse text, HTML or JSONL inputs and print or write results.

    stanceclf analyze seeds/belarus_pardons.txt
    stanceclf analyze big.jsonl --output out.jsonl          # JSONL; re-run to resume
    stanceclf analyze page.html --format jsonl              # the page's article (title, author, date, body)
    stanceclf analyze a.html b.txt --format html --output report.html   # one readable HTML report
    cat article.txt | stanceclf analyze -

Inputs: `.jsonl` files are records with a `text` field, one a line (blank lines are skipped);
any other file (or `-`, stdin) is one article. `.html`/`.htm` files, and every input under
`--html`, are HTML: `reading.read_html` reduces a page to its article (menus, share bars, related
links dropped; decoded by its declared charset), hands title, author and date to the splitter
(headline and meta claims; `metadata` gets url, title, author, date, site), and claim offsets index
the extracted text, which is what the output's `text` field holds. A page with no article gives no
claims and the warning `no-article`. `--format html` writes one self-contained report
(`stanceclf.report`) of all inputs, whole at the end (not resumed).

JSONL output has one line per input record. Each carries `file` and, for JSONL inputs, `line`
(the input line number). A malformed line, or an unreadable file, becomes an error record
`{"schema_version": 1, "error": ..., "file": ..., "line": n}` and the run goes on (exit code 1).

Tables (`stanceclf.tables`, the [data] extra for Parquet): `.parquet` and `.csv` inputs are read row
by row (`--text-column`, `--id-column`, `--title-column`; other columns pass through as metadata;
`line` is then the row number), and `--format parquet --output DIR` writes one row per claim as
part files under DIR/claims (and, with `--documents`, one row per document under DIR/documents),
resumed like JSONL. `--engine ray` hands the run to Ray Data instead (`stanceclf.ray`).

Resuming: when `--output` names an existing JSONL file, the records already in it are
skipped, keyed by the input record's `id`, else by its file and line (ids are assumed unique
across the inputs); error records count as done. A half-written last line (from a killed run)
is cut off first. Output is flushed after every batch, so a kill loses at most one batch.

Errors reach the user as one line on stderr; a model or an output file that cannot be used
gives exit code 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from stanceclf.errors import InputError, StanceclfError
from stanceclf.reading import NO_ARTICLE, NO_ARTICLE_MESSAGE, decode, decode_html, html_to_text, read_html, read_jsonl
from stanceclf.results import SCHEMA_VERSION, Claim, Document, Source
from stanceclf.tables import PART_SIZE, TABLE_SUFFIXES, Columns, open_sink, read_records

BATCH_DOCS = 32
HTML_SUFFIXES = (".html", ".htm")
Key = tuple[Any, ...]


def record_key(rec: dict[str, Any]) -> Key:
    """Resume key of an input or output record: its `id`, else its `file` and `line`."""
    if rec.get("id") is not None:  # a string as is, else its JSON text: as the Parquet output's `id` holds it
        return ("id", rec["id"] if isinstance(rec["id"], str) else json.dumps(rec["id"], sort_keys=True))
    return ("at", rec.get("file"), rec.get("line"))


def _from_html(rec: dict[str, Any]) -> dict[str, Any]:
    """The record with its HTML `text` read as a page: the article, its title, author, date, url, site
    (a title the record has itself wins over the page's)."""
    own_title = html_to_text(rec["title"]) if isinstance(rec.get("title"), str) else None
    page = read_html(rec["text"], url=rec.get("url") if isinstance(rec.get("url"), str) else None)
    rec = {**rec, **page.record()}
    if own_title:
        rec["title"] = own_title
    return rec


def _inputs(paths: list[str], errors: str, html: bool, columns: Columns | None = None) -> Iterator[dict[str, Any]]:
    """Yield `{"file", "line"?, "record"}` per input record, or `{"file", "line"?, "error"}`."""
    for path in paths:
        as_html = html or path.lower().endswith(HTML_SUFFIXES)
        if path.lower().endswith(TABLE_SUFFIXES):  # Parquet or CSV: a record per row
            for entry in read_records(path, columns, errors):
                yield {**entry, "record": _from_html(entry["record"])} if as_html and "record" in entry else entry
            continue
        if not path.endswith(".jsonl"):
            try:
                data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
                text = decode_html(data, path, errors) if as_html else decode(data, path, errors)
            except (OSError, InputError) as e:
                msg = str(e) if isinstance(e, InputError) else f"{path}: {e.strerror}"
                yield {"id": path, "file": path, "error": msg}
                continue
            rec = {"id": path, "text": text}
            yield {"file": path, "record": _from_html(rec) if as_html else rec}
            continue
        try:
            with open(path, "rb") as f:
                for rec in read_jsonl(f, path, errors):
                    if "error" in rec:
                        yield {"file": path, **rec}
                    else:
                        yield {"file": path, "line": rec["_line"], "record": _from_html(rec) if as_html else rec}
        except OSError as e:
            yield {"file": path, "error": f"{path}: {e.strerror}"}


def _entry_key(entry: dict[str, Any]) -> Key:
    rec = entry.get("record", entry)
    return record_key({"id": rec.get("id"), "file": entry["file"], "line": entry.get("line")})


def _location(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: entry[k] for k in ("file", "line") if k in entry}


def load_done(path: Path) -> dict[Key, bool]:
    """Keys of the records already in a JSONL output (True for error records).

    A half-written last line is cut off the file; a bad line before the last is an error.
    """
    done: dict[Key, bool] = {}
    with open(path, "rb+") as f:
        good_end = 0
        for n, line in enumerate(f, 1):
            try:
                if not line.endswith(b"\n"):
                    raise ValueError("no newline")
                rec = json.loads(line)
            except ValueError:  # JSONDecodeError and UnicodeDecodeError are ValueErrors too
                if f.read(1):
                    raise StanceclfError(f"{path}:{n}: not a JSON line, so this is not a stanceclf output to "
                                         "resume; remove it or choose another --output") from None
                f.truncate(good_end)
                break
            good_end += len(line)
            if isinstance(rec, dict):
                done[record_key(rec)] = "error" in rec
    return done


def _source(s: Source) -> str:
    out = s.text
    if s.resolved and s.resolved != s.text:
        out += f" -> {s.resolved}"
    return out + (f" ({s.type})" if s.type else "")


def _attribution(c: Claim) -> str:
    parts = [f"source: {', '.join(_source(s) for s in c.sources)}"] if c.sources else []
    if c.cue:
        parts.append(f"cue: {c.cue.text}")
    return "; ".join(parts)


def print_table(doc: Document, out: TextIO, name: str | None = None) -> None:
    """Write a document as a table: a claim a line, an attribution's sources and cue under it."""
    out.write(f"== {name if name is not None else doc.id}\n")
    for warning in doc.warnings:
        out.write(f"   warning: {warning}\n")
    for c in doc.claims:
        label = c.label or c.kind
        conf = f"{c.confidence:.2f}" if c.confidence is not None else "    "
        out.write(f"{label:<12} {conf}  {c.text}\n")
        if c.label == "attribution" and (c.sources or c.cue):
            out.write(f"{'':13}{_attribution(c)}\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stanceclf", description="Label news claims as fact, attribution or opinion.")
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("analyze", help="analyse text, HTML or JSONL files ('-' = stdin)",
                       description="Analyse .txt/.html files (one article each) or .jsonl files (records with a "
                                   "'text' field); '-' reads one article from stdin.")
    a.add_argument("files", nargs="+")
    a.add_argument("--format", choices=["table", "jsonl", "parquet", "html"],
                   help="output format (default: jsonl with --output, else table); html: one self-contained "
                        "report page of all inputs, written whole at the end")
    a.add_argument("--model", help="model directory (default: the bundled model)")
    a.add_argument("--device", default="cpu", help="cpu or cuda")
    a.add_argument("--precision", default="fp32", choices=["fp32", "int8", "bf16", "fp16"])
    a.add_argument("--batch-size", type=int, help="model input rows per batch (default: 8 windows or 32 pairs "
                   "on CPU, 256 windows or 1024 pairs on GPU)")
    a.add_argument("--threads", type=int, help="CPU threads for torch (torch.set_num_threads)")
    a.add_argument("--output", help="write to this file instead of stdout; an existing JSONL output is resumed: "
                                    "records already in it (by id, else file and line) are skipped")
    a.add_argument("--html", action="store_true",
                   help="inputs (and JSONL 'text' fields) are web pages: analyse their article (title, author, "
                        "date and body, without menus and page furniture), one paragraph a line; offsets index "
                        "that text, which the output 'text' holds (automatic for .html/.htm files)")
    a.add_argument("--replace-errors", action="store_true", help="replace undecodable bytes with U+FFFD")
    t = a.add_argument_group("tables and engines", "Parquet/CSV inputs, Parquet output ([data] extra), Ray ([ray])")
    t.add_argument("--text-column", default="text", help="Parquet/CSV inputs: the article text column")
    t.add_argument("--id-column", default="id", help="Parquet/CSV inputs: the record id column")
    t.add_argument("--title-column", default="title", help="Parquet/CSV inputs: the title column, if any")
    t.add_argument("--documents", action="store_true",
                   help="with --format parquet: also one row per document (profile, warnings, error) in DIR/documents")
    t.add_argument("--part-size", type=int, default=PART_SIZE,
                   help=f"with --format parquet: documents per part file (default {PART_SIZE}); a killed run "
                        "redoes at most one part")
    t.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="ray: run on Ray Data and write Parquet part files to --output DIR (see stanceclf.ray)")
    t.add_argument("--address", help="with --engine ray: the Ray cluster (default: RAY_ADDRESS, else a local Ray)")
    t.add_argument("--workers", type=int, default=1, help="with --engine ray: model workers (default 1)")
    for name, what in TRAINING_COMMANDS.items():
        sub.add_parser(name, add_help=False, help=f"{what} (needs the [train] extra; "
                                                  f"'stanceclf {name} --help' for its options)")
    return parser


TRAINING_COMMANDS = {"train": "train a model on the corpus, the public sets or your own data",
                     "evaluate": "score a model on the evaluation sets"}


def _training(command: str, argv: list[str]) -> int:
    """`stanceclf train|evaluate ...`: the installed training package's own command line."""
    import importlib

    try:
        module = importlib.import_module(f"stanceclf.training.{command}")
    except ImportError as e:
        print(f"stanceclf: error: 'stanceclf {command}' needs the [train] extra ({e.name} is missing): "
              "pip install 'stanceclf[train]'", file=sys.stderr)
        return 2
    return module.main(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 some inputs failed, 2 unusable setup)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in TRAINING_COMMANDS:
        return _training(argv[0], argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be at least 1")
    fmt = args.format or ("jsonl" if args.output else "table")
    if args.engine == "ray":
        try:
            from stanceclf.ray import main as ray_main
        except StanceclfError as e:  # the [ray] extra is missing
            print(f"stanceclf: error: {e}", file=sys.stderr)
            return 2
        return ray_main(args)
    resume = bool(args.output) and fmt == "jsonl" and Path(args.output).exists()
    try:
        sink = open_sink(args.files, fmt, args.output, args.documents, args.part_size)
        done = sink.done if sink else load_done(Path(args.output)) if resume else {}
        if args.threads:
            import torch

            torch.set_num_threads(args.threads)
        from stanceclf.classifier import ClaimClassifier

        clf = ClaimClassifier.from_pretrained(args.model, device=args.device, precision=args.precision)
    except (StanceclfError, OSError) as e:
        print(f"stanceclf: error: {e}", file=sys.stderr)
        return 2
    if done:
        print(f"stanceclf: {args.output}: {len(done)} records already done, resuming", file=sys.stderr)
    failures = 0
    pending: list[dict[str, Any]] = []
    report: list[tuple[Document, str]] = []  # --format html: every document, rendered at the end
    to_file = args.output and not sink
    out_cm = open(args.output, "a" if resume else "w", encoding="utf-8") if to_file else contextlib.nullcontext()
    with out_cm as out_file:
        out: TextIO = out_file or sys.stdout

        def run_batch() -> None:
            if not pending:
                return
            docs = clf.analyze_batch([e["record"] for e in pending], batch_size=args.batch_size)
            for entry, doc in zip(pending, docs):
                loc = _location(entry)
                if NO_ARTICLE in doc.warnings:
                    print(f"stanceclf: {loc['file']}: warning: {NO_ARTICLE_MESSAGE}", file=sys.stderr)
                if fmt == "html":
                    report.append((doc, f"{loc['file']}:{loc['line']}" if "line" in loc else loc["file"]))
                elif sink:
                    sink.add(loc, doc)
                elif fmt == "jsonl":
                    out.write(json.dumps({**doc.to_dict(), **loc}, ensure_ascii=False) + "\n")
                else:
                    print_table(doc, out, doc.id if doc.id is not None else f"{loc['file']}:{loc.get('line')}")
            out.flush()
            pending.clear()

        columns = Columns(args.text_column, args.id_column, args.title_column)
        for entry in _inputs(args.files, "replace" if args.replace_errors else "strict", args.html, columns):
            key = _entry_key(entry)
            if key in done:
                failures += done[key]
                continue
            if "error" not in entry:
                pending.append(entry)
                if len(pending) >= BATCH_DOCS:
                    run_batch()
                continue
            run_batch()
            failures += 1
            print(f"stanceclf: {entry['error']}", file=sys.stderr)
            if fmt == "html":
                report.append((Document(text="", id=entry.get("id"), error=entry["error"]), entry["file"]))
            elif sink:
                sink.add_error(entry)
            elif fmt == "jsonl":
                out.write(json.dumps({"schema_version": SCHEMA_VERSION, **entry}, ensure_ascii=False) + "\n")
                out.flush()
        run_batch()
        if sink:
            sink.close()
        if fmt == "html":
            from stanceclf.report import render

            out.write(render([d for d, _ in report], [name for _, name in report]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Tables: analysed documents as Arrow/Parquet rows, Parquet and CSV inputs, resumable Parquet output.

Needs the `[data]` extra (pyarrow, pandas); CSV input alone needs nothing. Design choices:

- **One row per claim**, flat where an engine filters or aggregates (`label`, `confidence`,
  `prob_fact`, ...), nested only where an item has its own parts: `cue` is a struct
  (text, start, end), `sources` a list of structs (text, start, end, resolved, type).
  `field` says whether the offsets index the title or the text.
- **Every document gives at least one row**: a failed document one row with `error` set and
  the claim columns null, a document without claims one row with `claim_index` null. So the
  table alone says which documents were done (what resuming needs) and which failed.
- **Ids are strings** in `claims_table` and the CLI's Parquet: part files must share one schema,
  while JSONL ids may be a number on one line and a string on the next. A non-string id is
  written as its JSON text (7 -> "7"), the text the CLI's resume key uses too.
  `analyze_dataset` and `stanceclf.ray` keep the input's id column as it is instead.
- **Part files, renamed into place**: `ParquetSink` writes `part-NNNNN.parquet` files of up to
  `part_size` documents to a hidden temporary name and renames each when complete, so a killed
  run leaves whole parts only (it redoes at most one part's documents); the documents part is
  renamed before its claims part, which marks the part as done.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stanceclf.errors import InputError, StanceclfError
from stanceclf.labels import LABELS
from stanceclf.results import Document

if TYPE_CHECKING:
    import pandas
    import pyarrow

PART_SIZE = 1000
PROB_COLUMNS = tuple(f"prob_{name}" for name in LABELS)
PROFILE_COLUMNS = ("claims", *(f"share_{name}" for name in LABELS), "distinct_sources", "named_sources",
                   "anonymous_sources", "claims_on_anonymous_sources", "claims_on_single_source",
                   "attribution_without_source")
TABLE_SUFFIXES = (".parquet", ".pq", ".csv")  # inputs read as tables (`read_records`)
RESERVED = ("text", "title", "id", "_line")


class ExtraMissing(StanceclfError, ImportError):
    """An optional dependency that a feature needs is not installed."""


def need(module: str, extra: str = "data", what: str = "stanceclf.tables") -> Any:
    """Import an optional module, or raise a one-line error naming the extra that installs it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ExtraMissing(f"{what} needs the [{extra}] extra ({module.split('.')[0]} is missing): "
                           f"pip install 'stanceclf[{extra}]'") from None


def id_text(value: Any) -> str | None:
    """An id as the string the tables hold: a string as is, anything else as its JSON text."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def claim_schema(id_type: pyarrow.DataType | None = None, id_column: str = "id",
                 locations: bool = False) -> pyarrow.Schema:
    """The claim rows' schema; `id_type` defaults to string, `locations` adds `file` and `line`."""
    pa = need("pyarrow")
    span = [("text", pa.string()), ("start", pa.int64()), ("end", pa.int64())]
    source = pa.struct([*span, ("resolved", pa.string()), ("type", pa.string())])
    fields = [(id_column, id_type or pa.string()), ("claim_index", pa.int32()), ("field", pa.string()),
              ("kind", pa.string()), ("paragraph", pa.int32()), ("sentence", pa.int32()),
              ("start", pa.int64()), ("end", pa.int64()), ("text", pa.string()), ("label", pa.string()),
              ("confidence", pa.float64()), *[(name, pa.float64()) for name in PROB_COLUMNS],
              ("cue", pa.struct(span)), ("sources", pa.list_(source)), ("flags", pa.list_(pa.string())),
              ("error", pa.string())]
    if locations:
        fields += [("file", pa.string()), ("line", pa.int64())]
    return pa.schema(fields)


def document_schema() -> pyarrow.Schema:
    """The document rows' schema (`--documents`): id, location, profile columns, warnings, error."""
    pa = need("pyarrow")
    counts = [(name, pa.float64() if name.startswith("share_") else pa.int32()) for name in PROFILE_COLUMNS]
    return pa.schema([("id", pa.string()), ("file", pa.string()), ("line", pa.int64()), ("title", pa.string()),
                      ("text", pa.string()), ("metadata", pa.string()), *counts,
                      ("warnings", pa.list_(pa.string())), ("error", pa.string())])


def claim_rows(doc: Document, doc_id: Any = None, id_column: str = "id") -> list[dict[str, Any]]:
    """The claim rows of one document (at least one: see the module doc); `doc_id` goes in `id_column`."""
    if doc.error is not None or not doc.claims:
        return [{id_column: doc_id, "error": doc.error}]
    rows = []
    for i, c in enumerate(doc.claims):
        probs = c.probs or {}
        rows.append({id_column: doc_id, "claim_index": i, "field": c.field, "kind": c.kind,
                     "paragraph": c.paragraph, "sentence": c.sentence, "start": c.start, "end": c.end,
                     "text": c.text, "label": c.label, "confidence": c.confidence,
                     **{col: probs.get(name) for col, name in zip(PROB_COLUMNS, LABELS)},
                     "cue": c.cue.to_dict() if c.cue else None, "sources": [s.to_dict() for s in c.sources],
                     "flags": list(c.flags), "error": None})
    return rows


def claims_table(docs: list[Document], locations: list[dict[str, Any]] | None = None) -> pyarrow.Table:
    """One row per claim of each document (schema: `claim_schema`), ids as strings.

    `locations`, one `{"file", "line"}` per document, adds those two columns (the CLI's output).
    """
    pa = need("pyarrow")
    rows = []
    for k, doc in enumerate(docs):
        loc = {"file": locations[k].get("file"), "line": locations[k].get("line")} if locations else {}
        rows += [{**row, **loc} for row in claim_rows(doc, id_text(doc.id))]
    return pa.Table.from_pylist(rows, schema=claim_schema(locations=locations is not None))


def documents_table(docs: list[Document], locations: list[dict[str, Any]] | None = None) -> pyarrow.Table:
    """One row per document: id, location, title, text, metadata (JSON), profile, warnings, error."""
    pa = need("pyarrow")
    rows = []
    for k, doc in enumerate(docs):
        row: dict[str, Any] = {"id": id_text(doc.id), "title": doc.title, "text": doc.text,
                               "metadata": json.dumps(doc.metadata, ensure_ascii=False, default=str),
                               "warnings": list(doc.warnings), "error": doc.error}
        if locations:
            row.update(file=locations[k].get("file"), line=locations[k].get("line"))
        if doc.error is None:
            profile = doc.profile()
            shares = {f"share_{name}": value for name, value in profile.pop("label_share").items()}
            row.update(profile, **shares)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=document_schema())


def to_pandas(docs: list[Document]) -> pandas.DataFrame:
    """The claim rows of documents as a pandas DataFrame (`claims_table(docs).to_pandas()`)."""
    need("pandas")
    return claims_table(docs).to_pandas()


# -- reading Parquet and CSV ----------------------------------------------------------------------


@dataclass
class Columns:
    """Which input columns hold an article's text, id and title; the others pass through as metadata."""

    text: str = "text"
    id: str = "id"
    title: str = "title"


def _jsonable(value: Any) -> Any:
    """Parquet values (dates, decimals, bytes, nested) as JSON-ready ones, for the metadata."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value) if isinstance(value, decimal.Decimal | datetime.timedelta) else repr(value)


def to_record(row: dict[str, Any], columns: Columns) -> dict[str, Any]:
    """An input row as a record: `text`, optional `id` and `title`, the other columns as metadata.

    An empty id or title (CSV has no nulls) counts as missing; a pass-through column whose name
    is taken by the record (`text` when the text is in `body`, say) keeps its value as `input_<name>`.
    """
    text = row.get(columns.text)
    if not isinstance(text, str):
        raise InputError(f"'{columns.text}' is {type(text).__name__}, not a string")
    rec: dict[str, Any] = {"text": text}
    if row.get(columns.id) not in (None, ""):
        rec["id"] = _jsonable(row[columns.id])
    if isinstance(row.get(columns.title), str) and row[columns.title]:
        rec["title"] = row[columns.title]
    for key, value in row.items():
        if key not in (columns.text, columns.id, columns.title):
            rec[f"input_{key}" if key in RESERVED else key] = _jsonable(value)
    return rec


def _rows(path: str, errors: str) -> Iterator[list[dict[str, Any]]]:
    """The rows of a Parquet or CSV file, in batches (the first one may be empty: it carries no rows)."""
    if path.lower().endswith(".csv"):
        with open(path, encoding="utf-8-sig", errors=errors, newline="") as f:
            reader = csv.DictReader(f)
            yield [dict.fromkeys(reader.fieldnames or [])]  # the header, to check the columns
            batch: list[dict[str, Any]] = []
            for row in reader:
                batch.append(row)
                if len(batch) >= 1024:
                    yield batch
                    batch = []
            yield batch
        return
    pq = need("pyarrow.parquet", what="reading Parquet")
    pf = pq.ParquetFile(path)
    yield [dict.fromkeys(pf.schema_arrow.names)]
    for batch in pf.iter_batches(batch_size=1024):
        yield batch.to_pylist()


def read_records(path: str, columns: Columns | None = None, errors: str = "strict") -> Iterator[dict[str, Any]]:
    """Yield the CLI's input entries for a Parquet or CSV file: `{"file", "line", "record"}` per row
    (`line`: the row number, from 1), or `{"file", "line", "error"}` for a row without a string text;
    a file that cannot be read, or lacks the text column, gives one `{"id", "file", "error"}`."""
    columns = columns or Columns()
    line = 0
    try:
        batches = _rows(path, errors)
        header = next(batches)[0]
        if columns.text not in header:
            names = ", ".join(map(str, header)) or "none"
            yield {"id": path, "file": path,
                   "error": f"{path}: no '{columns.text}' column (it has: {names}); name it with --text-column"}
            return
        for batch in batches:
            for row in batch:
                line += 1
                try:
                    yield {"file": path, "line": line, "record": to_record(row, columns)}
                except InputError as e:
                    entry = {"file": path, "line": line, "error": f"{path}:{line}: {e}"}
                    if row.get(columns.id) not in (None, ""):
                        entry["id"] = _jsonable(row[columns.id])
                    yield entry
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as e:  # ArrowInvalid is a ValueError
        where = f"{path}:{line + 1}" if line else path
        msg = "not UTF-8; pass --replace-errors" if isinstance(e, UnicodeDecodeError) else str(e)
        yield {"id": path, "file": path, "error": f"{where}: {msg}"}


# -- resumable Parquet output ---------------------------------------------------------------------


class ParquetSink:
    """The CLI's `--format parquet` output: part files in `directory/claims` (and `directory/documents`).

    `done` maps the resume key of every input already in the directory to whether it failed.
    """

    def __init__(self, directory: str | Path, documents: bool = False, part_size: int = PART_SIZE):
        self.pq = need("pyarrow.parquet", what="Parquet output")
        self.dir = Path(directory)
        if self.dir.exists() and not self.dir.is_dir():
            raise StanceclfError(f"{directory} is a file: --format parquet writes a directory of part files")
        self.claims_dir, self.docs_dir = self.dir / "claims", self.dir / "documents"
        self.documents, self.part_size = documents, max(1, part_size)
        self.claims_dir.mkdir(parents=True, exist_ok=True)
        if documents:
            self.docs_dir.mkdir(exist_ok=True)
        for sub in (self.claims_dir, self.docs_dir):
            for stale in sub.glob(".part-*.tmp"):  # from a killed run
                stale.unlink()
        parts = sorted(self.claims_dir.glob("part-*.parquet"))
        self._check_documents(parts)
        self.next_part = max((int(p.stem.split("-")[1]) for p in parts), default=-1) + 1
        self.done = self._read_done(parts)
        self.pending: list[tuple[dict[str, Any], Document]] = []

    def _check_documents(self, parts: list[Path]) -> None:
        if not self.docs_dir.exists():
            return
        names = {p.name for p in parts}
        for orphan in self.docs_dir.glob("part-*.parquet"):  # killed between the two renames
            if orphan.name not in names:
                orphan.unlink()
        if self.documents and any(not (self.docs_dir / p.name).exists() for p in parts):
            raise StanceclfError(f"{self.dir} was written without --documents; resume it without, or choose "
                                 "another --output")

    def _read_done(self, parts: list[Path]) -> dict[tuple[Any, ...], bool]:
        done: dict[tuple[Any, ...], bool] = {}
        for part in parts:
            try:
                table = self.pq.read_table(part, columns=["id", "file", "line", "error"])
            except Exception as e:  # pyarrow raises its own types for files that are not its Parquet
                raise StanceclfError(f"{part}: not a stanceclf part file ({e}); remove it or choose another "
                                     "--output") from None
            for row in table.to_pylist():
                key = ("id", row["id"]) if row["id"] is not None else ("at", row["file"], row["line"])
                done[key] = done.get(key, False) or row["error"] is not None
        return done

    def add(self, location: dict[str, Any], doc: Document) -> None:
        """Queue a document's rows; a part is written once `part_size` documents are queued."""
        self.pending.append((location, doc))
        if len(self.pending) >= self.part_size:
            self.flush()

    def add_error(self, entry: dict[str, Any]) -> None:
        """An input that could not be read (an entry with `error`): one error row."""
        self.add({"file": entry.get("file"), "line": entry.get("line")},
                 Document(text="", id=entry.get("id"), error=entry["error"]))

    def _write(self, table: pyarrow.Table, final: Path) -> None:
        tmp = final.with_name(f".{final.name}.tmp")
        with open(tmp, "wb") as f:
            self.pq.write_table(table, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, final)

    def flush(self) -> None:
        """Write the queued documents as one part (documents first: the claims part marks it done)."""
        if not self.pending:
            return
        locations, docs = [loc for loc, _ in self.pending], [doc for _, doc in self.pending]
        name = f"part-{self.next_part:05d}.parquet"
        if self.documents:
            self._write(documents_table(docs, locations), self.docs_dir / name)
        self._write(claims_table(docs, locations), self.claims_dir / name)
        self.next_part += 1
        self.pending.clear()

    def close(self) -> None:
        """Write what is still queued."""
        self.flush()


def open_sink(files: list[str], fmt: str, output: str | None, documents: bool = False,
              part_size: int = PART_SIZE) -> ParquetSink | None:
    """The CLI's set-up for tables: the Parquet sink for `--format parquet` (else None), after checking
    that the extra is there for Parquet inputs, so that a missing extra stops the run before it starts."""
    if any(f.lower().endswith((".parquet", ".pq")) for f in files):
        need("pyarrow.parquet", what="reading Parquet")
    if fmt != "parquet":
        return None
    if not output:
        raise StanceclfError("--format parquet needs --output DIR (a directory of part files)")
    return ParquetSink(output, documents=documents, part_size=part_size)

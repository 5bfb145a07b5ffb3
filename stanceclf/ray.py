"""Ray Data: analyse a `ray.data.Dataset` of articles on many workers, CPUs or GPUs.

`analyze` adds one `map_batches` stage with a callable class, `Analyzer`: Ray starts
`concurrency` actors, each loads the model once, in its constructor, then analyses batches of
`docs_per_batch` articles (claims batched across them, as `analyze_batch` does). Batches travel
as Arrow tables, so there is no pandas conversion per batch. Design choices:

- GPU workers ask for `num_gpus` GPUs each (1 is usual) and load the model in bf16 unless told
  otherwise (the CLI passes its `--precision`, fp32 unless given: name bf16 there); the engine
  then uses its large GPU batches.
- CPU workers set their own torch thread count (`threads`, default 1) and ask Ray for `num_cpus`
  (default `threads - 1`, at least 0.5): that leaves a whole CPU on every node for Ray's read,
  repartition and write tasks (each asks for one), which otherwise find no free CPU once the actors
  hold them all, and the pipeline stalls. Ray's CPU count is for scheduling only; torch runs
  `threads` threads either way.
- One article that fails gives an error row, not a failed job: a batch that raises is redone
  article by article, and an article that still raises gets its `error` set. A record whose text
  is not a string is an error row, as in `analyze_batch`; so is a row whose `_error` column is set
  (the CLI's JSONL reader marks malformed lines that way).
- The output keeps the input's id column (name and type): rows come in no fixed order, so the id
  (with `claim_index`) is how they are matched to articles. An id column is required.

`main` is `stanceclf analyze --engine ray`: it reads JSONL line by line (a malformed line becomes
an error row instead of failing the read), Parquet or CSV through Ray, and writes Parquet part
files to OUTPUT/claims. Records without an id get `sha1:` and 16 hex digits of their text.
Ray writes a part when its task ends and retries failed tasks itself; a run is not resumed:
re-run into a new directory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stanceclf.errors import InputError, StanceclfError
from stanceclf.results import Document
from stanceclf.tables import Columns, claim_rows, claim_schema, id_text, need

if TYPE_CHECKING:
    import pyarrow

ray = need("ray", extra="ray", what="the Ray engine")
need("ray.data", extra="ray", what="the Ray engine")
pa = need("pyarrow", extra="ray", what="the Ray engine")

ERROR_COLUMN = "_error"
IO_CPUS = 0.25  # what the CLI's read, parse and write tasks ask for: they wait on I/O more than they compute


class Analyzer:
    """The map_batches callable: a model per actor, Arrow batches of articles in, claim rows out."""

    def __init__(self, model: str | None, device: str, precision: str, threads: int | None, columns: Columns,
                 batch_size: int | None = None):
        import torch

        from stanceclf.classifier import ClaimClassifier

        if device == "cpu" and threads:
            torch.set_num_threads(threads)
        self.clf = ClaimClassifier.from_pretrained(model, device=device, precision=precision)
        self.columns, self.batch_size = columns, batch_size

    def _analyze(self, records: list[dict[str, Any]]) -> list[Document]:
        try:
            return self.clf.analyze_batch(records, batch_size=self.batch_size)
        except Exception as e:  # one bad article must not fail the job: find it, give it an error row
            if len(records) == 1:
                return [Document(text="", error=f"{type(e).__name__}: {e}")]
            return [doc for rec in records for doc in self._analyze([rec])]

    def __call__(self, batch: pyarrow.Table) -> pyarrow.Table:
        cols = self.columns
        names = [n for n in (cols.id, cols.text, cols.title, ERROR_COLUMN) if n in batch.column_names]
        rows = batch.select(names).to_pylist()
        todo = [k for k, row in enumerate(rows) if not row.get(ERROR_COLUMN)]
        records = []
        for k in todo:
            title = rows[k].get(cols.title)
            records.append({"text": rows[k].get(cols.text), **({"title": title} if isinstance(title, str) else {})})
        docs: list[Document | None] = [None] * len(rows)
        for k, doc in zip(todo, self._analyze(records)):
            docs[k] = doc
        out = []
        for row, doc in zip(rows, docs):
            doc = doc or Document(text="", error=row[ERROR_COLUMN])
            out += claim_rows(doc, row[cols.id], cols.id)
        return pa.Table.from_pylist(out, schema=claim_schema(batch.schema.field(cols.id).type, cols.id))


def analyze(ds: ray.data.Dataset, text_column: str = "text", model: str | Path | None = None,
            precision: str | None = None, num_gpus: float = 0, concurrency: int = 1, batch_size: int | None = None,
            *, id_column: str = "id", title_column: str = "title", threads: int | None = None,
            num_cpus: float | None = None, docs_per_batch: int = 32) -> ray.data.Dataset:
    """Claim rows (the schema of `stanceclf.tables`, the input's id column kept) of every article in `ds`.

    `model`: a model directory every worker can read (default: the bundled model); `precision`:
    default bf16 on GPU workers, fp32 on CPU; `num_gpus`: GPUs per worker (0: CPU workers);
    `concurrency`: workers; `batch_size`: the model's input rows per forward pass;
    `docs_per_batch`: articles per Ray batch.
    """
    names = ds.columns()
    for name, what in ((text_column, "text_column"), (id_column, "id_column")):
        if name not in names:
            raise InputError(f"the dataset has no '{name}' column (it has: {', '.join(names)}); name it with "
                             f"{what}= (Ray returns rows in no fixed order, so claim rows need an id)")
    device = "cuda" if num_gpus else "cpu"
    precision = precision or ("bf16" if num_gpus else "fp32")
    threads = threads or 1
    resources = {"num_gpus": num_gpus} if num_gpus else {"num_cpus": num_cpus or max(0.5, threads - 1)}
    columns = Columns(text_column, id_column, title_column)
    # Ray hands an actor whole blocks: one big block (a single Parquet file, say) would keep every
    # worker but one idle, so blocks are split first (streaming: nothing waits for the whole input).
    ds = ds.repartition(target_num_rows_per_block=docs_per_batch)
    return ds.map_batches(Analyzer, batch_size=docs_per_batch, batch_format="pyarrow",
                          compute=ray.data.ActorPoolStrategy(size=concurrency),
                          fn_constructor_args=(str(model) if model else None, device, precision, threads, columns,
                                               batch_size), **resources)


# -- the command line -----------------------------------------------------------------------------


def _hash_id(text: Any) -> str:
    return "sha1:" + hashlib.sha1(str(text).encode("utf-8", "replace")).hexdigest()[:16]


def _parse_jsonl(batch: pyarrow.Table) -> pyarrow.Table:
    """Lines of JSONL files (ray.data.read_text) as records: id (string), text, title, _error."""
    out = []
    for line, path in zip(batch.column("text").to_pylist(), batch.column("path").to_pylist()):
        try:
            rec = json.loads(line)
            if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
                raise ValueError("not a record with a string 'text' field")
        except ValueError as e:
            out.append({"id": None, ERROR_COLUMN: f"{path}: {e}: {line[:60]!r}"})
            continue
        doc_id = id_text(rec.get("id")) if rec.get("id") is not None else _hash_id(rec["text"])
        title = rec.get("title") if isinstance(rec.get("title"), str) else None
        out.append({"id": doc_id, "text": rec["text"], "title": title})
    fields = [(name, pa.string()) for name in ("id", "text", "title", ERROR_COLUMN)]
    return pa.Table.from_pylist(out, schema=pa.schema(fields))


def _fill_ids(batch: pyarrow.Table, columns: Columns) -> pyarrow.Table:
    """A table input without an id column (or with null ids): `sha1:` ids from the text."""
    texts = batch.column(columns.text).to_pylist()
    old = batch.column(columns.id).to_pylist() if columns.id in batch.column_names else [None] * len(texts)
    ids = [id_text(i) if i is not None else _hash_id(t) for i, t in zip(old, texts)]
    if columns.id in batch.column_names:
        batch = batch.drop_columns([columns.id])
    return batch.append_column(columns.id, pa.array(ids, pa.string()))


def read(paths: list[str], columns: Columns) -> ray.data.Dataset:
    """JSONL, Parquet or CSV files or directories of them (one kind a call) as a Ray dataset of records with ids."""
    kinds = set()
    for path in paths:  # a directory (a partitioned dataset) is of the kind of the files in it
        names = os.listdir(path) if os.path.isdir(path) else [path]
        kinds |= {Path(name).suffix.lower() for name in names if not name.startswith((".", "_"))}
    if kinds <= {".jsonl"}:
        ds = ray.data.read_text(paths, include_paths=True, num_cpus=IO_CPUS)
        return ds.map_batches(_parse_jsonl, batch_format="pyarrow", num_cpus=IO_CPUS)
    if kinds <= {".parquet", ".pq"}:
        ds = ray.data.read_parquet(paths, num_cpus=IO_CPUS)
    elif kinds <= {".csv"}:
        ds = ray.data.read_csv(paths, num_cpus=IO_CPUS)
    else:
        raise InputError(f"--engine ray reads .jsonl, .parquet or .csv files, one kind a run (got {sorted(kinds)})")
    return ds.map_batches(_fill_ids, batch_format="pyarrow", num_cpus=IO_CPUS, fn_args=(columns,))


def main(args: argparse.Namespace) -> int:
    """`stanceclf analyze INPUT... --engine ray --output DIR`: exit 0, 1 when some articles failed, 2 on setup."""
    try:
        if not args.output:
            raise StanceclfError("--engine ray needs --output DIR (a directory of Parquet part files)")
        if args.format not in (None, "parquet") or args.documents:
            raise StanceclfError("--engine ray writes claim rows as Parquet only (no --format, no --documents)")
        out = Path(args.output) / "claims"
        if out.exists() and any(out.iterdir()):
            raise StanceclfError(f"{out} is not empty: a Ray run is not resumed; choose a new --output")
        columns = Columns(args.text_column, args.id_column, args.title_column)
        ray.init(address=args.address, ignore_reinit_error=True, log_to_driver=False)
        ds = read(args.files, columns)
        gpus = 1 if str(args.device).startswith("cuda") else 0
        claims = analyze(ds, columns.text, args.model, args.precision, num_gpus=gpus, concurrency=args.workers,
                         batch_size=args.batch_size, id_column=columns.id, title_column=columns.title,
                         threads=args.threads)
        claims.write_parquet(str(out), ray_remote_args={"num_cpus": IO_CPUS})
    except (StanceclfError, OSError) as e:
        print(f"stanceclf: error: {e}", file=sys.stderr)
        return 2
    errors = ray.data.read_parquet(str(out), num_cpus=IO_CPUS).select_columns(["error"])
    failed = sum(len(b) - b.column("error").null_count for b in errors.iter_batches(batch_format="pyarrow"))
    if failed:
        print(f"stanceclf: {failed} records failed: their rows in {out} have 'error' set", file=sys.stderr)
    return 1 if failed else 0

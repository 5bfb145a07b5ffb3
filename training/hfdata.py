"""Training and evaluation data through Hugging Face `datasets`, cached by the sha256 of its files.

Every data set (`corpus`, the public sets, `real`, a user's JSONL) is read by its generator in
`training/data.py`, once, into an Arrow file with the schema `features()` (`Dataset.from_generator`);
later loads memory-map that file (`Dataset.from_file`). The cache key hashes what decides the
examples: the name and split, every file the loader reads (contents, sha256), and the code that
parses them; an edited file or parser is a new key, so a stale copy is never served.

Layout, under `--cache-dir` or `<HF datasets cache>/stanceclf` (`HF_DATASETS_CACHE`):
`<name>-<split>-<key>.arrow`, the examples in their order, and `<name>-<split>-<key>.json`, its
manifest (the files and their sha256, the row count, the bad rows of an annotated file, which are
reported again on every load as the direct read does). Delete the folder to clear it.

Why not `from_generator`'s own cache alone: it is found by the builder on every call (about 50 ms
of locks and metadata a set), and the bad rows a generator reports would be lost on a warm load.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stanceclf import labels

from . import data
from .data import Example

if TYPE_CHECKING:
    import datasets

FORMAT = "stanceclf-examples-1"  # the cache's layout, in every key and manifest
# The code that decides the examples: an edit to a parser is a new key as well
CODE = tuple(Path(m.__file__) for m in (data, data.realnews, labels)) + (Path(__file__),)


def features() -> datasets.Features:
    """The schema of an example row (the fields of `Example` but the teacher's probabilities, which
    `--teacher` fills in later): the one place it is declared."""
    from datasets import Features, List, Value

    return Features({
        "claim": Value("string"),
        "context": Value("string"),
        "allowed": List(Value("string")),
        "dataset": Value("string"),
        "group": Value("string"),
        "weight": Value("float64"),
        # null: no span supervision; []: a claim with no source or cue
        "spans": List({"start": Value("int32"), "end": Value("int32"), "kind": Value("string")}),
        "ignore": List({"start": Value("int32"), "end": Value("int32")}),
    })


def to_row(ex: Example) -> dict[str, Any]:
    """One example as a row of `features()`."""
    return {"claim": ex.claim, "context": ex.context, "allowed": list(ex.allowed), "dataset": ex.dataset,
            "group": ex.group, "weight": ex.weight,
            "spans": None if ex.spans is None else [{"start": a, "end": b, "kind": k} for a, b, k in ex.spans],
            "ignore": [{"start": a, "end": b} for a, b in ex.ignore]}


def to_examples(ds: datasets.Dataset) -> list[Example]:
    """The examples of a dataset of `features()` rows, in its order (read by column: fast)."""
    cols = ds.data.table.to_pydict() if ds._indices is None else ds.to_dict()
    return [Example(claim, context, tuple(allowed), dataset, group, weight,
                    None if spans is None else [(s["start"], s["end"], s["kind"]) for s in spans],
                    [(s["start"], s["end"]) for s in ignore])
            for claim, context, allowed, dataset, group, weight, spans, ignore in zip(
                cols["claim"], cols["context"], cols["allowed"], cols["dataset"], cols["group"], cols["weight"],
                cols["spans"], cols["ignore"])]


def sha256_file(path: Path) -> str:
    """A file's sha256 ("missing" for a file that is not there: its loader says so when it reads)."""
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(1 << 20):
                h.update(chunk)
        return h.hexdigest()
    except FileNotFoundError:
        return "missing"


def cache_key(src: data.Source) -> tuple[str, dict[str, str]]:
    """The cache key of a data set: a sha256 over the format, the name and split, the code and each
    file's path and sha256; and the files' hashes (kept in the manifest)."""
    files = {str(Path(p).resolve()): sha256_file(Path(p)) for p in src.files}
    h = hashlib.sha256(f"{FORMAT}\n{src.name}\n{src.split}\n".encode())
    for p in CODE:
        h.update(f"{p.name} {sha256_file(p)}\n".encode())
    for path, digest in files.items():
        h.update(f"{path} {digest}\n".encode())
    return h.hexdigest(), files


def cache_root(cache_dir: str | Path | None = None) -> Path:
    """Where the examples are cached: `cache_dir`, or `stanceclf` in the Hugging Face datasets cache."""
    if cache_dir:
        return Path(cache_dir)
    import datasets

    return Path(datasets.config.HF_DATASETS_CACHE) / "stanceclf"


def _stem(src: data.Source, key: str) -> str:
    label = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(src.name).stem if src.path and src.name != "corpus" else src.name)
    return f"{label[:40]}-{src.split}-{key}"


def _build(src: data.Source, root: Path, stem: str, key: str, files: dict[str, str]) -> dict:
    """Run the generator into an Arrow file through `Dataset.from_generator`; returns the manifest."""
    from datasets import Dataset
    from datasets.exceptions import DatasetGenerationError

    problems: list[str] = []

    def rows():
        for ex in src.examples(problems):
            yield to_row(ex)

    root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{stem}-", dir=root))
    try:
        try:
            ds = Dataset.from_generator(rows, features=features(), cache_dir=str(work), fingerprint=key)
        except DatasetGenerationError as e:  # the loader's own error (a bad file), not the wrapper's
            raise (e.__cause__ or e) from None
        arrows = [Path(c["filename"]) for c in ds.cache_files]
        n = len(ds)
        del ds
        names = [f"{stem}.arrow"] if len(arrows) == 1 else [f"{stem}-{i:05d}.arrow" for i in range(len(arrows))]
        for arrow, name in zip(arrows, names):
            os.replace(arrow, root / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    manifest = {"format": FORMAT, "name": src.name, "split": src.split, "key": key, "files": files,
                "arrow": names, "rows": n, "problems": problems}
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}-", suffix=".json", dir=root)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    os.replace(tmp, root / f"{stem}.json")  # last: a manifest always names complete Arrow files
    return manifest


def load_dataset(name: str, split: str, public_root: Path | None, strict: bool = False,
                 cache_dir: str | Path | None = None) -> datasets.Dataset:
    """A data set as a `datasets.Dataset` of `features()` rows, from the cache or built into it."""
    from datasets import Dataset, concatenate_datasets

    src = data.source(name, split, public_root)
    if src.files and not Path(src.files[0]).exists():
        list(src.examples([]))  # the loader's own error for its missing file (with its advice)
    key, files = cache_key(src)
    root = cache_root(cache_dir)
    stem = _stem(src, key)
    manifest = None
    if (root / f"{stem}.json").exists():
        manifest = json.loads((root / f"{stem}.json").read_text(encoding="utf-8"))
        if not all((root / a).exists() for a in manifest["arrow"]):
            manifest = None
    if manifest is None:
        import datasets

        quiet = datasets.are_progress_bars_disabled()
        datasets.disable_progress_bars()  # a bar per set would drown the training log
        try:
            manifest = _build(src, root, stem, key, files)
        finally:
            if not quiet:
                datasets.enable_progress_bars()
    parts = [Dataset.from_file(str(root / a)) for a in manifest["arrow"]]
    data.report(manifest["problems"], src.path or name, strict)
    return parts[0] if len(parts) == 1 else concatenate_datasets(parts)


def load_examples(name: str, split: str, public_root: Path | None, strict: bool = False,
                  cache_dir: str | Path | None = None) -> list[Example]:
    """A data set's examples through `datasets` (`data.load`): the same examples, in the same order,
    as reading its files directly (`data.read`)."""
    return to_examples(load_dataset(name, split, public_root, strict, cache_dir))

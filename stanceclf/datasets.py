"""Hugging Face `datasets`: a Dataset of articles in, a Dataset of claim rows out (`ClaimClassifier.analyze_dataset`).

One `Dataset.map(batched=True)` over `docs_per_batch` articles at a time: each batch is one
`analyze_batch` call (claims batched across its articles) and its output rows are the claims,
so the output has its own length. The rows have the schema of `stanceclf.tables`, except that
the id column is the input's own, name and type, since that is what a user joins results back on
(without one, `id` holds the input's row index). A row whose text is not a string gives an error row.

The map's fingerprint is given instead of computed: computing it would serialise the whole model
to hash it, on every call. So a call is never answered from datasets' cache: the model is part of
what the result depends on, and datasets cannot key on it cheaply.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from stanceclf.errors import InputError
from stanceclf.tables import claim_rows, claim_schema, need

if TYPE_CHECKING:
    from stanceclf.classifier import ClaimClassifier


def claim_features(id_feature: Any = None, id_column: str = "id") -> Any:
    """The claim rows' `datasets.Features`, with `id_feature` (default: string) for the id column."""
    datasets = need("datasets", what="analyze_dataset")
    features = datasets.Features.from_arrow_schema(claim_schema(id_column=id_column))
    if id_feature is not None:
        features[id_column] = id_feature
    return features


def analyze_dataset(clf: ClaimClassifier, ds: Any, text_column: str = "text", batch_size: int | None = None, *,
                    id_column: str = "id", title_column: str = "title", docs_per_batch: int = 64) -> Any:
    """Claim rows of every article in `ds` (a `datasets.Dataset` or `IterableDataset`).

    `batch_size` is the model's (input rows per forward pass, as in `analyze_batch`);
    `docs_per_batch` the number of articles per map batch. A `title_column`, when present, holds
    titles analysed apart from the text (their claims have `field == "title"`).
    """
    datasets = need("datasets", what="analyze_dataset")
    if not isinstance(ds, datasets.Dataset | datasets.IterableDataset):
        raise InputError(f"analyze_dataset needs a datasets.Dataset, not {type(ds).__name__} "
                         "(for a DatasetDict, pass one split: ds['train'])")
    columns = list(ds.column_names or [])
    if text_column not in columns:
        raise InputError(f"the dataset has no '{text_column}' column (it has: {', '.join(columns) or 'none'}); "
                         "name it with text_column=")
    keep_id = id_column in columns
    out_id = id_column if keep_id else "id"
    features = claim_features(ds.features[id_column] if keep_id else datasets.Value("int64"), out_id)
    has_title = title_column in columns

    def analyze(batch: dict[str, list[Any]], indices: list[int]) -> dict[str, list[Any]]:
        records = []
        for i, text in enumerate(batch[text_column]):
            title = batch[title_column][i] if has_title else None
            records.append({"text": text, "title": title} if isinstance(title, str) and title else {"text": text})
        docs = clf.analyze_batch(records, batch_size=batch_size)
        ids = batch[id_column] if keep_id else indices
        rows = [row for doc, doc_id in zip(docs, ids) for row in claim_rows(doc, doc_id, out_id)]
        return {name: [row.get(name) for row in rows] for name in features}

    kwargs: dict[str, Any] = {"batched": True, "batch_size": docs_per_batch, "with_indices": True,
                              "remove_columns": columns, "features": features}
    if isinstance(ds, datasets.Dataset):
        kwargs.update(new_fingerprint=uuid.uuid4().hex, desc="stanceclf")
    return ds.map(analyze, **kwargs)

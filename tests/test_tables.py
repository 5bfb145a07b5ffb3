"""Tables: claim rows as Arrow/pandas, Parquet and CSV inputs, resumable Parquet output, `analyze_dataset`."""

import csv
import json

import pytest

pa = pytest.importorskip("pyarrow", reason="needs the [data] extra")
pq = pytest.importorskip("pyarrow.parquet", reason="needs the [data] extra")

from helpers import rounded  # noqa: E402

import stanceclf  # noqa: E402
from stanceclf import cli  # noqa: E402
from stanceclf.cli import main  # noqa: E402
from stanceclf.tables import claim_rows, claims_table  # noqa: E402

ARTICLES = ["Officials said {i} roads closed. The storm was a disgrace.",
            "Storm Hits Coast {i}\n\nThe storm hit on Monday. \u201cIt was bad,\u201d she said.",
            "Prices rose {i} percent; analysts expect more."]


def _records(n):
    return [{"id": f"doc-{i}", "text": ARTICLES[i % 3].format(i=i), "desk": "news"} for i in range(n)]



def _claims(directory):
    rows = pq.read_table(directory / "claims").to_pylist()
    return sorted(rounded(rows), key=lambda r: (r["file"] or "", r["line"] or 0, r["claim_index"] or 0))


def test_claims_table_has_a_row_per_claim_and_one_for_a_failed_or_empty_document(tiny):
    docs = tiny.analyze_batch([{"id": 7, "title": "Storm Hits Coast", "text": "Officials said roads closed."},
                               {"id": "bad", "text": None}, {"id": "empty", "text": ""}])
    table = stanceclf.claims_table(docs)
    rows = table.to_pylist()
    assert len(rows) == len(docs[0].claims) + 2
    first = docs[0].claims[0]
    assert rows[0]["id"] == "7" and rows[0]["field"] == "title" and rows[0]["text"] == first.text
    assert rows[0]["prob_fact"] == first.probs["fact"] and rows[0]["confidence"] == first.confidence
    assert rows[0]["error"] is None and rows[0]["sources"] == [] and rows[0]["cue"] is None
    assert rows[-2]["id"] == "bad" and "string 'text'" in rows[-2]["error"] and rows[-2]["claim_index"] is None
    assert rows[-1]["id"] == "empty" and rows[-1]["error"] is None and rows[-1]["claim_index"] is None
    assert table.schema.field("sources").type.value_type.names == ["text", "start", "end", "resolved", "type"]


def test_to_pandas_gives_the_claim_rows(tiny):
    pytest.importorskip("pandas", reason="needs the [data] extra")
    doc = tiny.analyze({"id": "a", "text": "Officials said roads closed. It was a disgrace."})
    frame = doc.to_pandas()
    assert list(frame["text"]) == [c.text for c in doc.claims]
    assert stanceclf.to_pandas([doc, doc]).shape == (2 * len(doc.claims), frame.shape[1])


def test_sources_and_cue_become_structs():
    from stanceclf.results import Claim, Document, Source, Span

    text = "She said the port would reopen."
    claim = Claim(text, 0, len(text), label="attribution", confidence=0.9, probs={"attribution": 0.9},
                  sources=[Source("She", 0, 3, resolved="Natalia Ismont", type="official")], cue=Span("said", 4, 8))
    row = claims_table([Document(text=text, claims=[claim], id="a")]).to_pylist()[0]
    assert row["sources"] == [{"text": "She", "start": 0, "end": 3, "resolved": "Natalia Ismont", "type": "official"}]
    assert row["cue"] == {"text": "said", "start": 4, "end": 8} and row["prob_fact"] is None
    assert claim_rows(Document(text=text, claims=[claim]), 5, "doc_id")[0]["doc_id"] == 5


def test_parquet_and_csv_inputs_with_named_columns(tiny_model_dir, tmp_path, capsys):
    rows = [{"doc_id": 1, "body": "It rained. She said it was bad.", "headline": "Rain", "desk": "wx"},
            {"doc_id": 2, "body": None, "headline": None, "desk": "wx"},
            {"doc_id": 3, "body": "Prices rose.", "headline": "", "desk": "biz"}]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "in.parquet")
    with open(tmp_path / "in.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, ["doc_id", "body", "headline", "desk", "text"])
        writer.writeheader()
        writer.writerows([{**r, "body": r["body"] or "", "text": "other"} for r in rows])
    code = main(["analyze", str(tmp_path / "in.parquet"), str(tmp_path / "in.csv"), "--format", "jsonl",
                 "--text-column", "body", "--id-column", "doc_id", "--title-column", "headline",
                 "--model", str(tiny_model_dir)])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1  # the Parquet row without a text
    assert [r.get("id") for r in out] == [1, 2, 3, "1", "2", "3"]
    assert [r.get("line") for r in out] == [1, 2, 3, 1, 2, 3]
    assert "in.parquet:2: 'body' is NoneType, not a string" in out[1]["error"]
    assert out[0]["title"] == "Rain" and out[0]["metadata"] == {"desk": "wx"} and out[2]["title"] is None
    assert out[3]["metadata"] == {"desk": "wx", "input_text": "other"} and out[3]["text"] == out[0]["text"]
    assert out[4]["claims"] == []  # an empty CSV cell is an empty text, not an error


def test_a_table_without_the_text_column_is_one_error(tiny_model_dir, tmp_path, capsys):
    (tmp_path / "in.csv").write_text("id,body\n1,It rained.\n", encoding="utf-8")
    code = main(["analyze", str(tmp_path / "in.csv"), "--format", "jsonl", "--model", str(tiny_model_dir)])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1 and len(out) == 1 and "no 'text' column (it has: id, body)" in out[0]["error"]


def _jsonl(tmp_path, n=14, broken=(5,)):
    lines = [json.dumps(rec) if i not in broken else "{broken" for i, rec in enumerate(_records(n))]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _parquet_run(tiny_model_dir, src, out, *extra):
    return main(["analyze", str(src), "--format", "parquet", "--output", str(out), "--model", str(tiny_model_dir),
                 *extra])


def test_parquet_output_has_claim_rows_document_rows_and_error_rows(tiny, tiny_model_dir, tmp_path):
    src, out = _jsonl(tmp_path), tmp_path / "out"
    assert _parquet_run(tiny_model_dir, src, out, "--documents", "--part-size", "4") == 1
    assert sorted(p.name for p in (out / "claims").iterdir()) == [f"part-0000{i}.parquet" for i in range(4)]
    recs = [r for i, r in enumerate(_records(14)) if i != 5]
    expected = claims_table(tiny.analyze_batch(recs)).to_pylist()
    rows = _claims(out)
    error = [r for r in rows if r["error"]]
    assert len(error) == 1 and error[0]["line"] == 6 and "in.jsonl:6" in error[0]["error"] and error[0]["id"] is None
    assert [{k: v for k, v in r.items() if k not in ("file", "line")} for r in rows if not r["error"]] == \
        rounded(expected)
    docs = sorted(pq.read_table(out / "documents").to_pylist(), key=lambda r: r["line"])
    assert len(docs) == 14 and docs[0]["id"] == "doc-0" and json.loads(docs[0]["metadata"]) == {"desk": "news"}
    assert docs[0]["claims"] == 2 and docs[0]["share_attribution"] is not None and docs[5]["claims"] is None


class Killed(BaseException):
    """What a kill looks like from inside: nothing after it runs, no `except Exception` catches it."""


def test_killed_parquet_run_resumes_to_the_rows_of_an_uninterrupted_run(tiny_model_dir, tmp_path, monkeypatch,
                                                                        capsys):
    from stanceclf.classifier import ClaimClassifier

    src = _jsonl(tmp_path, n=20)
    assert _parquet_run(tiny_model_dir, src, tmp_path / "full", "--documents", "--part-size", "4") == 1
    calls, real = [], ClaimClassifier.analyze_batch

    def dies_on_the_fifth_batch(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 5:
            raise Killed
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cli, "BATCH_DOCS", 3)
    monkeypatch.setattr(ClaimClassifier, "analyze_batch", dies_on_the_fifth_batch)
    out = tmp_path / "out"
    with pytest.raises(Killed):
        _parquet_run(tiny_model_dir, src, out, "--documents", "--part-size", "4")
    monkeypatch.undo()
    parts = sorted(p.name for p in (out / "claims").iterdir())
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]  # 12 of 20 lines
    (out / "claims" / ".part-00003.parquet.tmp").write_bytes(b"PAR1 half written")  # killed while writing
    (out / "documents" / "part-00003.parquet").write_bytes(b"killed between the two renames")
    capsys.readouterr()
    assert _parquet_run(tiny_model_dir, src, out, "--documents", "--part-size", "4") == 1  # the error row counts
    assert "12 records already done" in capsys.readouterr().err
    assert _claims(out) == _claims(tmp_path / "full")
    documents = sorted(pq.read_table(out / "documents").to_pylist(), key=lambda r: r["line"])
    assert rounded(documents) == rounded(sorted(pq.read_table(tmp_path / "full" / "documents").to_pylist(),
                                                  key=lambda r: r["line"]))
    before = sorted(p.name for p in (out / "claims").iterdir())
    assert _parquet_run(tiny_model_dir, src, out, "--documents") == 1  # finished: nothing to add
    assert sorted(p.name for p in (out / "claims").iterdir()) == before and not list(out.rglob(".*.tmp"))


def test_missing_data_extra_is_one_line_naming_it(tmp_path, monkeypatch, capsys):
    import sys

    for name in ("pyarrow", "pyarrow.parquet"):
        monkeypatch.setitem(sys.modules, name, None)
    src = tmp_path / "a.txt"
    src.write_text("It rained.", encoding="utf-8")
    assert main(["analyze", str(src), "--format", "parquet", "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "[data] extra (pyarrow is missing)" in err


def test_missing_ray_extra_is_one_line_naming_it(tmp_path, monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)
    monkeypatch.delitem(sys.modules, "stanceclf.ray", raising=False)
    assert main(["analyze", "in.jsonl", "--engine", "ray", "--output", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the Ray engine needs the [ray] extra (ray is missing)" in err


def test_analyze_dataset_equals_analyze_batch_and_keeps_the_id_column(tiny):
    datasets = pytest.importorskip("datasets", reason="needs the [data] extra")
    recs = _records(9)
    recs[4]["text"] = None
    ds = datasets.Dataset.from_dict({"doc_id": list(range(100, 109)), "text": [r["text"] for r in recs],
                                     "desk": [r["desk"] for r in recs]})
    out = tiny.analyze_dataset(ds, id_column="doc_id", docs_per_batch=4)
    assert out.features["doc_id"] == ds.features["doc_id"] and "desk" not in out.column_names
    docs = tiny.analyze_batch([{"text": r["text"]} for r in recs])
    expected = [row for i, doc in enumerate(docs) for row in claim_rows(doc, 100 + i, "doc_id")]
    got = out.to_list()
    assert [r["error"] is not None for r in got].count(True) == 1
    assert rounded(got) == rounded([{name: row.get(name) for name in out.column_names} for row in expected])
    without_ids = tiny.analyze_dataset(ds.remove_columns("doc_id"))
    assert without_ids["id"][-1] == 8

"""Ray Data engine: on a local Ray with 2 CPUs, claim rows equal a local `analyze_batch`; bad records are error rows."""

import json

import pytest

ray = pytest.importorskip("ray", reason="needs the [ray] extra")
pytest.importorskip("ray.data", reason="needs the [ray] extra")

from stanceclf import ray as stanceclf_ray  # noqa: E402
from stanceclf.cli import main  # noqa: E402
from stanceclf.tables import claim_rows, claim_schema  # noqa: E402

ARTICLES = ["Officials said {i} roads closed. The storm was a disgrace.",
            "Storm Hits Coast {i}\n\nThe storm hit on Monday. \u201cIt was bad,\u201d she said.",
            "Prices rose {i} percent; analysts expect more, according to the ministry.",
            "By Sara Khaled\n\nThe council met {i} times. Critics called the plan reckless."]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield
    ray.shutdown()


def _rounded(row):
    """Floats to 4 places: documents batched differently may differ in the last bits."""
    return json.loads(json.dumps(row), parse_float=lambda s: round(float(s), 4))


def _by_key(rows):
    """Rows by (id, claim index), every column present: Ray gives them in no fixed order."""
    names = claim_schema().names
    return {(r["id"], r.get("claim_index")): _rounded({n: r.get(n) for n in names}) for r in rows}


def test_ray_analyze_equals_analyze_batch(local_ray, tiny, tiny_model_dir):
    records = [{"id": i, "text": ARTICLES[i % 4].format(i=i)} for i in range(200)]
    records[17]["text"] = None  # malformed: no text
    ds = ray.data.from_items(records)
    out = stanceclf_ray.analyze(ds, model=tiny_model_dir, concurrency=2, num_cpus=0.5, docs_per_batch=16)
    rows = out.take_all()
    docs = tiny.analyze_batch(records)
    expected = [row for doc, rec in zip(docs, records) for row in claim_rows(doc, rec["id"])]
    assert len(rows) == len(expected)
    assert _by_key(rows) == _by_key(expected)
    errors = [r for r in rows if r["error"]]
    assert len(errors) == 1 and errors[0]["id"] == 17 and errors[0]["claim_index"] is None


def test_cli_engine_ray_writes_parquet_parts_and_error_rows(local_ray, tiny, tiny_model_dir, tmp_path, capsys):
    import pyarrow.parquet as pq

    records = [{"id": f"d{i}", "text": ARTICLES[i % 4].format(i=i)} for i in range(12)]
    lines = [json.dumps(r) for r in records]
    lines[3] = '{"id": "d3", "text": '
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n" + json.dumps({"text": "It rained."}) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["analyze", str(src), "--engine", "ray", "--output", str(out), "--model", str(tiny_model_dir),
                 "--workers", "1"])
    assert code == 1 and "1 records failed" in capsys.readouterr().err
    rows = pq.read_table(out / "claims").to_pylist()
    errors = [r for r in rows if r["error"]]
    assert len(errors) == 1 and "in.jsonl" in errors[0]["error"] and '{"id": "d3"' in errors[0]["error"]
    good = [r for i, r in enumerate(records) if i != 3] + [{"id": None, "text": "It rained."}]
    docs = tiny.analyze_batch(good)
    expected = [row for doc in docs for row in claim_rows(doc, doc.id)]
    got = [r for r in rows if not r["error"]]
    assert {r["id"] for r in got if r["id"].startswith("sha1:")} == {stanceclf_ray._hash_id("It rained.")}
    for r in got:
        r["id"] = None if r["id"].startswith("sha1:") else r["id"]
    assert _by_key(got) == _by_key(expected)
    assert main(["analyze", str(src), "--engine", "ray", "--output", str(out)]) == 2  # not resumed
    assert "is not empty" in capsys.readouterr().err

"""The stanceclf command line: table and JSONL output, error records, clear failures."""

import json

from stanceclf.cli import main


def test_table_output_lists_each_claim(tiny_model_dir, tmp_path, capsys):
    f = tmp_path / "a.txt"
    f.write_text("Storm Hits Coast\n\nThe storm hit on Monday. Roads closed.", encoding="utf-8")
    assert main(["analyze", str(f), "--model", str(tiny_model_dir)]) == 0
    out = capsys.readouterr().out
    assert "The storm hit on Monday." in out and "Roads closed." in out


def test_jsonl_with_a_malformed_line_gives_an_error_record(tiny_model_dir, tmp_path, capsys):
    f = tmp_path / "in.jsonl"
    f.write_text('{"id": 1, "text": "It rained."}\nnot json\n{"id": 3, "text": "It snowed."}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code = main(["analyze", str(f), "--format", "jsonl", "--model", str(tiny_model_dir), "--output", str(out)])
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert code == 1
    assert [r.get("id") for r in rows] == [1, None, 3]
    assert "in.jsonl:2" in rows[1]["error"]


def test_bom_is_removed_and_bad_bytes_are_reported(tiny_model_dir, tmp_path, capsys):
    good = tmp_path / "bom.txt"
    good.write_bytes(b"\xef\xbb\xbfIt rained.")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"It rained \xff hard.")
    code = main(["analyze", str(good), str(bad), "--format", "jsonl", "--model", str(tiny_model_dir)])
    captured = capsys.readouterr()
    rows = [json.loads(line) for line in captured.out.splitlines()]
    assert code == 1 and rows[0]["text"] == "It rained."
    assert "byte 10" in rows[1]["error"] and "byte 10" in captured.err


def test_missing_model_is_one_line_on_stderr(tmp_path, capsys):
    code = main(["analyze", "x.txt", "--model", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "not a stanceclf model directory" in err

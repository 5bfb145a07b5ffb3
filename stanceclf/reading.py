"""Reading articles: bytes -> text (BOM removed, CRLF kept) and input records.

An input is a plain string or a record (a dict with a `text` field, optional `title`,
`id` and any other metadata, which passes through to the output).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from stanceclf.errors import InputError


def decode(data: bytes, name: str = "<input>", errors: str = "strict") -> str:
    """Decode UTF-8 (a leading BOM is dropped); report the byte offset of bad input."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: not UTF-8 at byte {e.start}; pass --replace-errors to "
                         "substitute U+FFFD for undecodable bytes") from None


def as_record(item: str | dict[str, Any]) -> dict[str, Any]:
    """Normalise a string or record into a record with a string `text`."""
    if isinstance(item, str):
        return {"text": item}
    if isinstance(item, dict) and isinstance(item.get("text"), str):
        return item
    raise InputError("an input must be a string or a dict with a string 'text' field")


def read_jsonl(lines: Iterable[str], name: str = "<jsonl>") -> Iterator[dict[str, Any]]:
    """Yield one record per non-empty line; a malformed line yields an error record."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            as_record(rec)
        except (json.JSONDecodeError, InputError) as e:
            yield {"error": f"{name}:{n}: {e}", "line": n}
            continue
        rec.setdefault("_line", n)
        yield rec

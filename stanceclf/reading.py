"""Reading articles: bytes -> text (BOM removed, CRLF kept), input records, and HTML -> text.

An input is a plain string or a record (a dict with a `text` field, optional `title`,
`id` and any other metadata, which passes through to the output).

HTML input (`html_to_text`) is reduced to plain text before analysis, with the standard
library's `html.parser`: the content of script, style, nav, header, footer, aside and the
document head is dropped; each block element (p, div, h1-h6, li, tr, blockquote, ...) and each
`<br>` ends a line, so every paragraph is one line of the result (which is how the splitter
sees paragraphs); runs of whitespace inside a line become one space (`<pre>` keeps its lines
and indentation); empty lines are dropped; and entities are unescaped. Claim offsets then
index this extracted text, not the HTML source: the output's `text` field holds it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import Any

from stanceclf.errors import InputError

BOM = b"\xef\xbb\xbf"


def decode(data: bytes, name: str = "<input>", errors: str = "strict", offset: int = 0) -> str:
    """Decode UTF-8 (a leading BOM is dropped); report the byte offset of bad input.

    `offset` is the position of `data` in its file, so that the offset reported is the file's.
    """
    if data.startswith(BOM):
        data, offset = data[3:], offset + 3
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: not UTF-8 at byte {offset + e.start}; pass --replace-errors to "
                         "substitute U+FFFD for undecodable bytes") from None


def as_record(item: str | dict[str, Any]) -> dict[str, Any]:
    """Normalise a string or record into a record with a string `text`."""
    if isinstance(item, str):
        return {"text": item}
    if isinstance(item, dict) and isinstance(item.get("text"), str):
        return item
    raise InputError("an input must be a string or a dict with a string 'text' field")


def read_jsonl(lines: Iterable[bytes | str], name: str = "<jsonl>", errors: str = "strict") -> Iterator[dict[str, Any]]:
    """Yield one record per non-empty line, with its line number in `_line`.

    A line that is not UTF-8, not JSON or not a record yields an error record
    `{"error": "name:line: ...", "line": n}` instead; undecodable bytes are reported by their
    byte offset in the file. Lines may be bytes (as read from a binary file) or str.
    """
    offset = 0
    for n, raw in enumerate(lines, 1):
        start, offset = offset, offset + len(raw)
        try:
            line = decode(raw, f"{name}:{n}", errors, start) if isinstance(raw, bytes) else raw
        except InputError as e:
            yield {"error": str(e), "line": n}
            continue
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            as_record(rec)
        except (json.JSONDecodeError, InputError) as e:
            yield {"error": f"{name}:{n}: {e}", "line": n}
            continue
        rec["_line"] = n
        yield rec


_SKIP = {"script", "style", "noscript", "template", "head", "title", "nav", "header", "footer", "aside"}
_BLOCK = {"address", "article", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt",
          "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "html",
          "li", "main", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul"}
_CELL = {"td", "th"}
_SPACE = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0

    def end_line(self) -> None:
        text = "".join(self.parts)
        self.parts = []
        for line in text.split("\n"):
            line = line.rstrip() if self.pre else _SPACE.sub(" ", line).strip()
            if line:
                self.lines.append(line)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _CELL:
            self.parts.append(" ")
        elif tag in _BLOCK:
            self.end_line()
            self.pre += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIP:  # a self-closed <script/> has no content to skip
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK:
            self.end_line()
            self.pre = max(0, self.pre - (tag == "pre"))

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data if self.pre else data.replace("\n", " "))


def html_to_text(html: str) -> str:
    """Plain text of an HTML page or fragment: one paragraph a line (see the module doc)."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    parser.end_line()
    return "\n".join(parser.lines)

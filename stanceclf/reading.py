"""Reading articles: bytes -> text (BOM removed, CRLF kept), input records, and web pages -> articles.

An input is a plain string or a record (a dict with a `text` field, optional `title`,
`id` and any other metadata, which passes through to the output).

Web pages (`read_html`) are reduced to the article, because a page is mostly not the article:
menus, share bars, related links, cookie notices. Measured on real pages
(`benchmarks/html_extraction.py`, docs/html.md), our own tag-based reader (`html_to_text`)
keeps almost all of an article but a third of what it passes on is furniture, and each
maintained extractor alone is at or under the bar we set (paragraph F1 0.86 to 0.90 on the
hand-checked set). So two of them vote: the body is the paragraphs of readability-lxml's article
that trafilatura's extraction also holds (word for word, ignoring case, spacing and
punctuation). Precision goes up and little is lost, because the two fail on different pages;
when the agreed text is under 30% of trafilatura's precision-mode article, readability took
another part of the page and that article is used instead. Trafilatura's precision mode is
also the judge of whether there is an article at all: when it finds nothing, the page is all
furniture, and we say so (warning `no-article`) rather than pass menus on as claims.

What our reader does better is kept: the paragraphs are cut into lines by `html_to_text` from
readability's HTML (one paragraph a line, `<pre>` keeps its lines and indentation), and the
claim offsets index that text. Title, author, date, url and site come from trafilatura's
metadata; a title that does not match the page's `<title>` or `og:title` (token F1 under 0.5 and
not part of either: trafilatura sometimes takes a section heading) gives way to the `<title>`.
The title is the text's first line (a copy of it at the top of the body is dropped), and
`Page.record()` hands title, author and date to the splitter apart (`ClaimClassifier.segment`):
the title becomes the headline claim, author and date `meta` claims.

A fragment (no `<html>`, `<head>`, `<body>` or doctype: an RSS description, a CMS body field) is
not a page and has no furniture to drop: `html_to_text` reads all of it.

`html_to_text` itself works with the standard library's `html.parser`: the content of script,
style, nav, header, footer, aside and the document head is dropped; each block element (p, div,
h1-h6, li, tr, blockquote, ...) and each `<br>` ends a line; runs of whitespace inside a line
become one space (`<pre>` keeps its lines and indentation); empty lines are dropped; and
entities are unescaped.

Bytes of a page are decoded as browsers do (`decode_html`): a BOM, else the charset a `<meta>`
tag or XML declaration names in the first 2,048 bytes, else UTF-8.
"""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html import unescape
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


# -- web pages ----------------------------------------------------------------------------------

NO_ARTICLE = "no-article"
NO_ARTICLE_MESSAGE = ("no article text found: the page looks like navigation and page furniture only, "
                      "so it gives no claims")
_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)"""
                      rb"""|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:+-]+)""", re.I)
# Labels browsers read as another encoding (WHATWG Encoding): latin-1 and ASCII pages are
# decoded as windows-1252 (its superset, which is what such pages really hold); a page cannot
# declare UTF-16 in a meta tag it could only have read as ASCII.
_ALIASES = {"iso8859-1": "cp1252", "ascii": "cp1252", "iso8859-9": "cp1254", "tis-620": "cp874",
            "gb2312": "gbk", "utf-16": "utf-8", "utf-16-le": "utf-8", "utf-16-be": "utf-8"}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_FULL_PAGE = re.compile(r"<(?:!doctype|html|head|body)\b", re.I)
_META = re.compile(r'<meta name="(\w+)" content="([^"]*)"\s*/?>')


def declared_charset(data: bytes) -> str | None:
    """The encoding a page's first 2,048 bytes declare (`<meta charset>`, `http-equiv`, `<?xml
    encoding>`), as a Python codec name with browsers' aliases applied; None when absent or unknown."""
    m = _CHARSET.search(data[:2048])
    if not m:
        return None
    try:
        name = codecs.lookup((m.group(1) or m.group(2)).decode("ascii")).name
    except LookupError:
        return None
    return _ALIASES.get(name, name)


def decode_html(data: bytes, name: str = "<html>", errors: str = "strict") -> str:
    """Decode a web page: a BOM wins, then the declared charset, then UTF-8 (as `decode`)."""
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        encoding = declared_charset(data)
    if encoding is None or encoding == "utf-8":
        return decode(data, name, errors)
    try:
        return data.decode(encoding, errors=errors).removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: not {encoding} (as its charset declares) at byte {e.start}; pass "
                         "--replace-errors to substitute U+FFFD for undecodable bytes") from None


@dataclass
class Page:
    """An article read from a web page: `text` is its title line (when found) and body paragraphs,
    one a line; `body_start` is where the body begins in `text`."""

    text: str
    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    site: str | None = None
    body_start: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        return self.text[self.body_start:]

    def metadata(self) -> dict[str, str]:
        """The metadata found: `url`, `title`, `author`, `date`, `site`."""
        found = {"url": self.url, "title": self.title, "author": self.author, "date": self.date, "site": self.site}
        return {k: v for k, v in found.items() if v}

    def record(self, **extra: Any) -> dict[str, Any]:
        """An input record for `ClaimClassifier.analyze`: the text with its title, author and date
        handed over apart (the splitter makes them the headline and meta claims), the rest as metadata.
        A page without an article gives an empty text and its warning, and no title to make a claim of."""
        meta = self.metadata() if self.text else {k: v for k, v in self.metadata().items() if k in ("url", "site")}
        rec: dict[str, Any] = {**extra, "text": self.text, **meta}
        if self.warnings:
            rec["warnings"] = list(self.warnings)
        return rec


def _key(text: str) -> str:
    """Text compared word for word: lower case, punctuation and spacing ignored."""
    return " ".join(re.findall(r"\w+", text.lower()))


def same_words(a: str, b: str) -> bool:
    """Whether two texts have the same words in the same order (case, punctuation, spacing ignored)."""
    return bool(_key(a)) and _key(a) == _key(b)


def _lines(html: str | None) -> list[str]:
    return [line for line in html_to_text(html).split("\n") if line] if html else []


def _words(lines: list[str]) -> int:
    return sum(len(line.split()) for line in lines)


def _overlap(a: str, b: str) -> float:
    """Token F1 of two strings (case and punctuation ignored)."""
    x, y = Counter(_key(a).split()), Counter(_key(b).split())
    common = sum((x & y).values())
    return 2 * common / (sum(x.values()) + sum(y.values())) if common else 0.0


def _page_titles(html: str) -> list[str]:
    """The page's `<title>` and `og:title` (what the site calls the page)."""
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    found = [" ".join(t.text_content().split()) for t in tree.xpath("//head/title | //title")[:1]]
    found += [" ".join(c.split()) for c in tree.xpath('//meta[@property="og:title"]/@content')[:1]]
    return [t for t in found if t]


def _title(candidate: str | None, html: str, readability_title: str | None) -> str | None:
    anchors = _page_titles(html)
    if candidate and (not anchors or any(_overlap(candidate, a) >= 0.5 or _key(candidate) in _key(a)
                                         for a in anchors)):
        return candidate
    if readability_title and readability_title != "[no-title]":
        return " ".join(readability_title.split())
    return candidate


def _extract(html: str, url: str | None) -> tuple[list[str], list[str], dict[str, str]]:
    """Trafilatura's article as lines (balanced and precision modes) and its metadata."""
    import trafilatura

    options = {"url": url, "output_format": "html", "include_comments": False, "include_formatting": True}
    balanced = trafilatura.extract(html, with_metadata=True, **options)
    precise = trafilatura.extract(html, favor_precision=True, **options)
    meta = {k: " ".join(v.split()) for k, v in _META.findall(balanced or "") if v.strip()}
    return _lines(balanced), _lines(precise), {k: unescape(v) for k, v in meta.items()}


def _readability(html: str) -> tuple[list[str], str | None]:
    from readability import Document as Readable

    try:
        doc = Readable(html)
        return _lines(doc.summary(html_partial=True)), doc.title()
    except Exception:  # readability raises bare Unparseable/ValueError on pages with no body
        return [], None


def read_html(page: str | bytes, url: str | None = None, name: str = "<html>", errors: str = "strict") -> Page:
    """Read the article of a web page (text or bytes) with its metadata; see the module doc."""
    html = decode_html(page, name, errors) if isinstance(page, bytes) else page
    if not _FULL_PAGE.search(html):
        return Page(html_to_text(html))
    balanced, precise, meta = _extract(html, url)
    if not _words(precise):
        return Page("", url=meta.get("url", url), site=meta.get("sitename"), warnings=[NO_ARTICLE])
    article, readability_title = _readability(html)
    agreed = " " + _key("\n".join(balanced)) + " "
    body = [line for line in article if f" {_key(line)} " in agreed]
    if _words(body) < 0.3 * _words(precise):  # readability took another part of the page
        body = precise
    title = _title(meta.get("title"), html, readability_title)
    if title:
        dup = next((i for i, line in enumerate(body[:3]) if _key(line) == _key(title)), None)
        body = [line for i, line in enumerate(body) if i != dup]
    head = f"{title}\n" if title and body else ""
    return Page(head + "\n".join(body), title=title if head else None, author=meta.get("author"),
                date=meta.get("date"), url=meta.get("url", url), site=meta.get("sitename"), body_start=len(head))

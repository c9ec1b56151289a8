"""The policy's prose: a tiny, safe Markdown subset rendered to HTML, and readable diffs between versions.

The subset is deliberately small, so staff can write the policy in the admin without being able to inject
markup: paragraphs, `## ` headings (and `### ` sub-headings), `- ` lists, `**bold**`, and links to pages of
this site (`[My privacy](/accounts/privacy/)`). Everything else is escaped and shown as typed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

_INLINE = re.compile(r"\*\*(?P<bold>.+?)\*\*|\[(?P<text>[^\]\n]+)\]\((?P<href>[^)\s]*)\)")
# Only paths on this site: no scheme, no host, no "//" (protocol-relative), no backslash tricks.
_SITE_PATH = re.compile(r"^/(?![/\\])[A-Za-z0-9/_.~%#?=&+-]*$")
_LIST_ITEM = re.compile(r"^[-*] +")


def _inline_html(text: str, *, links: bool = True) -> str:
    parts: list[str] = []
    position = 0
    for match in _INLINE.finditer(text):
        parts.append(escape(text[position : match.start()]))
        if match.group("bold") is not None:
            parts.append(f"<strong>{_inline_html(match.group('bold'), links=links)}</strong>")
        elif links and _SITE_PATH.match(match.group("href")):
            parts.append(f'<a href="{escape(match.group("href"))}">{_inline_html(match.group("text"), links=False)}</a>')
        else:
            parts.append(escape(match.group(0)))
        position = match.end()
    parts.append(escape(text[position:]))
    return "".join(parts)


def _heading_html(level: int, text: str, seen: set[str]) -> str:
    anchor = base = f"policy-{slugify(text) or 'section'}"
    counter = 2
    while anchor in seen:
        anchor, counter = f"{base}-{counter}", counter + 1
    seen.add(anchor)
    return f'<h{level} id="{anchor}">{_inline_html(text)}</h{level}>'


@dataclass
class _Blocks:
    html: list[str]
    paragraph: list[str]
    items: list[list[str]]

    def flush(self) -> None:
        if self.paragraph:
            self.html.append(f"<p>{_inline_html(' '.join(self.paragraph))}</p>")
            self.paragraph = []
        if self.items:
            rendered = "".join(f"<li>{_inline_html(' '.join(item))}</li>" for item in self.items)
            self.html.append(f"<ul>{rendered}</ul>")
            self.items = []


def policy_markdown_html(text: str) -> SafeString:
    """Return the HTML of `text` written in the policy's Markdown subset; everything else is escaped."""
    blocks = _Blocks(html=[], paragraph=[], items=[])
    headings: set[str] = set()
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            blocks.flush()
        elif line.startswith(("## ", "### ")):
            blocks.flush()
            level = 3 if line.startswith("### ") else 2
            blocks.html.append(_heading_html(level, line[level + 1 :].strip(), headings))
        elif _LIST_ITEM.match(line):
            if blocks.paragraph:
                blocks.flush()
            blocks.items.append([_LIST_ITEM.sub("", line, count=1)])
        elif blocks.items and raw[:1].isspace():
            blocks.items[-1].append(line)  # an indented line continues the list item above
        else:
            if blocks.items:
                blocks.flush()
            blocks.paragraph.append(line)
    blocks.flush()
    return mark_safe("\n".join(blocks.html))  # noqa: S308 - every piece of text above went through escape()


DiffKind = Literal["equal", "insert", "delete", "gap"]


@dataclass(frozen=True)
class DiffLine:
    kind: DiffKind
    text: str


def _lines(body: str) -> list[str]:
    # Blank lines only separate paragraphs: leaving them out keeps the diff about words, not spacing.
    return [line.rstrip() for line in body.replace("\r\n", "\n").split("\n") if line.strip()]


def policy_diff(old: str, new: str, *, context: int = 2) -> list[DiffLine]:
    """Return the changed lines between two policy bodies, with `context` unchanged lines around each change.

    Runs of unchanged lines left out between two changes are marked by one "gap" line.
    """
    before, after = _lines(old), _lines(new)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    result: list[DiffLine] = []
    for number, group in enumerate(matcher.get_grouped_opcodes(context)):
        if number:
            result.append(DiffLine("gap", ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result.extend(DiffLine("equal", line) for line in before[i1:i2])
                continue
            if tag in ("delete", "replace"):
                result.extend(DiffLine("delete", line) for line in before[i1:i2])
            if tag in ("insert", "replace"):
                result.extend(DiffLine("insert", line) for line in after[j1:j2])
    return result

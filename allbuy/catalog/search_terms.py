"""Search terms: the tokenizer both backends share, typo correction against the catalog's own vocabulary,
and the boolean shape (`QueryPart`s) that the backends render into FTS5 MATCH or tsquery syntax.

Pure functions over plain data; no database access here.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

MAX_TOKENS = 10  # a longer query is cut: ten AND-ed words are already as specific as a catalog gets
MAX_TOKEN_LENGTH = 40

_WORD = re.compile(r"[^\W_]+")
_RUN = re.compile(r"\d+|[^\W\d_]+")


def search_text_normalize(text: str) -> str:
    """Fold `text` for search: compatibility forms, no diacritics, lower case, "+" read as "plus" ("Pro+")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("+", " plus "))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped).lower()


def search_tokens(text: str, *, limit: int = MAX_TOKENS) -> list[str]:
    """Return the words of a query: runs of letters and digits, folded as the index text is."""
    return [word[:MAX_TOKEN_LENGTH] for word in _WORD.findall(search_text_normalize(text))][:limit]


def search_index_text(text: str) -> str:
    """Return `text` as the engines index it: folded words separated by spaces, so both engines and the query
    reader split it alike."""
    return " ".join(_WORD.findall(search_text_normalize(text)))


@dataclass(frozen=True)
class IndexRow:
    """What one product contributes to the search index, column by column, heaviest first."""

    product_id: int
    name: str
    brand: str
    categories: str
    document: str

    @classmethod
    def of(cls, *, product_id: int, name: str, brand: str, categories: Iterable[str], document: str) -> IndexRow:
        return cls(
            product_id=product_id,
            name=search_index_text(name),
            brand=search_index_text(brand),
            categories=search_index_text(" ".join(categories)),
            document=search_index_text(document),
        )


@dataclass(frozen=True)
class Vocabulary:
    """Every term in the search index of active products, sorted, with how many products hold it."""

    terms: tuple[str, ...]
    doc_counts: tuple[int, ...]

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, int]]) -> Vocabulary:
        ordered = sorted(rows)
        return cls(terms=tuple(t for t, _ in ordered), doc_counts=tuple(n for _, n in ordered))

    def doc_count(self, term: str) -> int:
        i = bisect_left(self.terms, term)
        return self.doc_counts[i] if i < len(self.terms) and self.terms[i] == term else 0

    def has_term(self, term: str) -> bool:
        return self.doc_count(term) > 0

    def has_prefix(self, prefix: str) -> bool:
        """Return whether some term is `prefix` or starts with it."""
        i = bisect_left(self.terms, prefix)
        return i < len(self.terms) and self.terms[i].startswith(prefix)


def _alignment_last_row(a: str, b: str, *, limit: int) -> list[int] | None:
    """Return the last row of the optimal-string-alignment table of `a` against `b` (a swap of neighbours costs
    one): entry j is the distance from `a` to `b[:j]`. None as soon as every entry must exceed `limit`."""
    before = previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > limit:
            return None
        before, previous = previous, row
    return previous


def edit_distance(a: str, b: str, *, limit: int) -> int:
    """Return the edits (insert, delete, replace, swap neighbours) from `a` to `b`, or `limit + 1` once past it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    row = _alignment_last_row(a, b, limit=limit)
    return limit + 1 if row is None else min(row[-1], limit + 1)


def start_distance(word: str, text: str, *, limit: int) -> tuple[int, int]:
    """Return the edits from `word` to the nearest start of `text` and that start's length (the longer on ties),
    or `limit + 1` once past the limit."""
    row = _alignment_last_row(word, text, limit=limit)
    if row is None or min(row) > limit:
        return limit + 1, 0
    best = min(row)
    return best, max(j for j, distance in enumerate(row) if distance == best)


def _edits_allowed(word: str, *, lenient: bool) -> int:
    # Short words have too many neighbours to correct safely: "gt" is one edit from "go", "5g", "pt"...
    if len(word) < 4:
        return 1 if lenient and len(word) == 3 else 0
    if len(word) < 8:
        return 2 if lenient and len(word) >= 5 else 1
    return 3 if lenient else 2


def closest_term(word: str, vocabulary: Vocabulary, *, lenient: bool = False) -> str | None:
    """Return the vocabulary term, or the start of one for a partial word, nearest to `word` if near enough.

    Ties go to whole terms over term starts, then to the term more products hold.
    """
    limit = _edits_allowed(word, lenient=lenient)
    if limit == 0:
        return None
    letters = set(word)
    best: tuple[int, int, int, str] | None = None
    heads_seen: set[str] = set()
    # One edit changes at most two letters of the set of letters: a cheap test that skips most terms.
    for term, count in zip(vocabulary.terms, vocabulary.doc_counts, strict=True):
        if abs(len(term) - len(word)) <= limit and len(letters.symmetric_difference(term)) <= 2 * limit:
            distance = edit_distance(word, term, limit=limit)
            if distance <= limit and (best is None or (distance, 0, -count, term) < best):
                best = (distance, 0, -count, term)
        # A partial word with one typo: the nearest start is at most one letter longer than the word. Its first
        # letter must be right, or "iphone" would read as "phone".
        head = term[: len(word) + 1]
        if (
            len(term) >= len(word)
            and head[0] == word[0]
            and head not in heads_seen
            and len(letters.symmetric_difference(head)) <= 3
        ):
            heads_seen.add(head)
            distance, length = start_distance(word, head, limit=1)
            if distance <= 1 and (best is None or (distance, 1, -count, head[:length]) < best):
                best = (distance, 1, -count, head[:length])
    return best[3] if best else None


def _compound_split(word: str, vocabulary: Vocabulary) -> tuple[str, str] | None:
    """Split a run-together word ("powerbank") into a term and a term or term start ("power", "bank")."""
    for cut in range(len(word) - 2, 2, -1):
        left, right = word[:cut], word[cut:]
        if vocabulary.has_term(left) and vocabulary.has_prefix(right):
            return left, right
    return None


def _word_terms(word: str, vocabulary: Vocabulary, *, lenient: bool) -> tuple[str, ...] | None:
    """Return the terms to search for one typed word, or None when nothing in the catalog resembles it."""
    if vocabulary.has_prefix(word):
        return (word,)
    runs = _RUN.findall(word)
    if len(runs) > 1:  # "gt4", "120w": read each run of digits or letters on its own
        terms: list[str] = []
        for run in runs:
            found = _word_terms(run, vocabulary, lenient=lenient)
            if found is None:
                return None
            terms.extend(found)
        return tuple(terms)
    if not word.isalpha():  # digits are never corrected: "13" and "14" are different phones
        return None
    if (close := closest_term(word, vocabulary)) is not None:
        return (close,)
    if (split := _compound_split(word, vocabulary)) is not None:
        return split
    if lenient and (close := closest_term(word, vocabulary, lenient=True)) is not None:
        return (close,)
    return None


@dataclass(frozen=True)
class QueryPart:
    """One typed word (or two typed words that the catalog writes as one) and what to search for it.

    `alternatives` are OR-ed; the terms inside one alternative are AND-ed and each matches as a prefix.
    No alternatives means nothing in the catalog resembles the word.
    """

    typed: str
    alternatives: tuple[tuple[str, ...], ...]

    @property
    def known(self) -> bool:
        return bool(self.alternatives)

    @property
    def shown(self) -> str:
        """Return the words to show for this part in a suggestion: the first reading, else what was typed."""
        return " ".join(self.alternatives[0]) if self.alternatives else self.typed


def query_parts(text: str, vocabulary: Vocabulary, *, lenient: bool = False) -> list[QueryPart]:
    """Read a shopper's query against the vocabulary: keep known words and partial words, correct typos,
    split run-together words and join words the catalog writes as one ("power bank" and "powerbank" alike)."""
    words = search_tokens(text)
    readings: dict[str, tuple[str, ...] | None] = {}

    def read(word: str) -> tuple[str, ...] | None:
        if word not in readings:
            readings[word] = _word_terms(word, vocabulary, lenient=lenient)
        return readings[word]

    parts: list[QueryPart] = []
    i = 0
    while i < len(words):
        word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        joined = word + nxt
        if nxt and word.isalpha() and nxt.isalpha() and len(joined) >= 6 and vocabulary.has_prefix(joined):
            left, right = read(word), read(nxt)
            separate = ((*left, *right),) if left is not None and right is not None else ()
            parts.append(QueryPart(typed=f"{word} {nxt}", alternatives=(*separate, (joined,))))
            i += 2
            continue
        terms = read(word)
        parts.append(QueryPart(typed=word, alternatives=(terms,) if terms else ()))
        i += 1
    return parts


def name_match_key(parts: list[QueryPart], name: str) -> tuple[int, int]:
    """Return a sort key that puts first the names holding the most query parts, then those with fewest other words.

    The engines' scores normalise by the length of the whole document, specs included, so on their own they may
    rank "Redmi Note 13 Pro+" (few specs) above "Redmi Note 13 Pro" for "redmi note 13 pro".
    """
    words = search_tokens(name, limit=100)
    terms = [term for part in parts for alternative in part.alternatives for term in alternative]

    def in_name(term: str) -> bool:
        return any(word.startswith(term) for word in words)

    held = sum(1 for part in parts if any(all(in_name(t) for t in alternative) for alternative in part.alternatives))
    others = sum(1 for word in words if not any(word.startswith(term) for term in terms))
    return (-held, others if held else 0)

"""Full-text search that works for Chinese and English in stock PostgreSQL.

PostgreSQL's parsers do not split Chinese into words, and the segmenting extensions (zhparser,
pg_jieba) are not in the embedded server or most managed ones. So Chinese is indexed the way
Lucene's CJK analyzer does it: every run of Han characters as its overlapping two-character
bigrams (a phrase in the index) plus its single characters. A query is cut the same way and
must match the bigrams as a phrase, so 返利 finds 阶梯返利政策 but not 返还利息. Latin text goes
through the `english` configuration, which stems (rebates → rebat, matching "rebate").
"""

from __future__ import annotations

import re
from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Value
from django.db.models.expressions import Combinable

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


# Between two runs of Han characters (split by punctuation, Latin words, line breaks) a filler
# token keeps their bigrams from being adjacent, so 返利。利息 does not match the phrase 返利息.
GAP = "qgapq"
# PostgreSQL keeps word positions up to 16383 and a tsvector under 1 MB: only the first this many
# Han characters of a text are indexed as phrases, and this much Latin text by stem (a long
# article is still found by what its first pages say).
MAX_HAN = 12_000
MAX_LATIN = 100_000


def han_bigrams(text: str) -> str:
    runs, budget = [], MAX_HAN
    for run in HAN.findall(text):
        if budget <= 0:
            break
        runs.append(" ".join(_bigrams(run[:budget])))
        budget -= len(run)
    return f" {GAP} ".join(runs)


def han_unigrams(text: str) -> str:
    return " ".join(sorted(set("".join(HAN.findall(text)))))


def latin(text: str) -> str:
    return HAN.sub(" ", text)[:MAX_LATIN]


def document_vector(*, heading: str, body: str) -> Combinable:
    """The vector stored on a row: its heading weighs more than its body.

    Chinese phrases come first, so their positions stay below PostgreSQL's limit; Latin words
    and single characters follow (matched without positions)."""
    parts: list[Combinable] = [
        SearchVector(Value(han_bigrams(heading)), config="simple", weight="A"),
        SearchVector(Value(GAP), config="simple", weight="D"),
        SearchVector(Value(han_bigrams(body)), config="simple", weight="B"),
        SearchVector(Value(latin(heading)), config="english", weight="A"),
        SearchVector(Value(latin(body)), config="english", weight="B"),
        SearchVector(Value(han_unigrams(f"{heading} {body}")), config="simple", weight="D"),
    ]
    vector = parts[0]
    for part in parts[1:]:
        vector = vector + part
    return vector


def text_query(q: str) -> SearchQuery | None:
    """Every word of `q` must match: Latin words by stem, Chinese runs as bigram phrases."""
    parts: list[SearchQuery] = []
    for run in HAN.findall(q):
        parts.append(SearchQuery(" ".join(_bigrams(run)), config="simple", search_type="phrase"))
    words = [w for w in latin(q).split() if w.lower() != GAP]
    if words:
        parts.append(SearchQuery(" ".join(words), config="english", search_type="plain"))
    if not parts:
        return None
    return reduce(lambda a, b: a & b, parts)

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


def han_bigrams(text: str) -> str:
    return " ".join(" ".join(_bigrams(run)) for run in HAN.findall(text))


def han_unigrams(text: str) -> str:
    return " ".join("".join(HAN.findall(text)))


def latin(text: str) -> str:
    return HAN.sub(" ", text)


def document_vector(*, heading: str, body: str) -> Combinable:
    """The vector stored on a row: its heading weighs more than its body."""
    vector: Combinable | None = None
    for text, weight in ((heading, "A"), (body, "B")):
        for part in (
            SearchVector(Value(latin(text)), config="english", weight=weight),
            SearchVector(Value(han_bigrams(text)), config="simple", weight=weight),
            SearchVector(Value(han_unigrams(text)), config="simple", weight="D"),
        ):
            vector = part if vector is None else vector + part
    assert vector is not None
    return vector


def text_query(q: str) -> SearchQuery | None:
    """Every word of `q` must match: Latin words by stem, Chinese runs as bigram phrases."""
    parts: list[SearchQuery] = []
    for run in HAN.findall(q):
        parts.append(SearchQuery(" ".join(_bigrams(run)), config="simple", search_type="phrase"))
    words = latin(q).split()
    if words:
        parts.append(SearchQuery(" ".join(words), config="english", search_type="plain"))
    if not parts:
        return None
    return reduce(lambda a, b: a & b, parts)

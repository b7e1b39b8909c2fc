"""Finding a partner by name among thousands, for the partner search boxes of the vendor's
filters (prm.core.widgets.SearchSelect)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Q

from prm.core.bilingual import pick

from .selectors import partners_visible_to

SEARCH_LIMIT = 20


def partner_search(*, user: Any, text: str) -> list[dict[str, Any]]:
    """Up to SEARCH_LIMIT partners `user` may see whose name (either language) contains `text`
    or whose credit code is `text`, by name. Labels are unique among the results: a name two
    partners share carries each one's credit code, since the box tells them apart by label."""
    partners = partners_visible_to(user).select_related(None)
    text = text.strip()
    if text:
        partners = partners.filter(
            Q(name__icontains=text) | Q(name_en__icontains=text) | Q(credit_code__iexact=text)
        )
    rows = list(
        partners.order_by("name", "pk").values("pk", "name", "name_en", "credit_code")[
            :SEARCH_LIMIT
        ]
    )
    labels = [pick(r["name"], r["name_en"]) for r in rows]
    shared = {label for label, n in Counter(labels).items() if n > 1}
    return [
        {"id": r["pk"], "label": f"{label} ({r['credit_code'] or r['pk']})"}
        if label in shared
        else {"id": r["pk"], "label": label}
        for r, label in zip(rows, labels, strict=True)
    ]

"""A choice among thousands (a vendor's partners) without rendering thousands of options."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse


class SearchSelect(forms.Select):
    """A search box for a `ModelChoiceField`: it renders only the chosen object, and asks
    `search_url` (a URL name answering ``?q=`` with ``{"results": [{"id", "label"}]}``) for the
    others as the user types (static/js/search_select.js). The field still validates the
    submitted id against its queryset, so the box can offer nothing the user may not choose."""

    template_name = "widgets/search_select.html"
    input_type = "search-select"

    def __init__(self, search_url: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.search_url = search_url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        chosen = self._chosen(context["widget"]["value"])
        context["widget"].update(
            search_url=reverse(self.search_url),
            chosen_id=chosen.pk if chosen is not None else "",
            chosen_label=str(chosen) if chosen is not None else "",
        )
        return context

    def optgroups(self, name: str, value: Any, attrs: dict[str, Any] | None = None) -> list[Any]:
        return []  # the template draws the box; iterating the choices would load every row

    def _chosen(self, values: list[str]) -> Any:
        picked = next((v for v in values if str(v).isdigit()), None)
        queryset = getattr(self.choices, "queryset", None)
        if picked is None or queryset is None:
            return None
        return queryset.filter(pk=int(picked)).first()


class DateInput(forms.DateInput):
    """The browser's date picker. It reads and writes ISO dates whatever the page's language: a
    localized value ("2026/12/07") leaves the picker empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format or "%Y-%m-%d")

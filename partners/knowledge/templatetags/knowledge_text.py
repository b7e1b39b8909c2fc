"""`{{ body|rich }}`: a stored body shown as HTML, cleaned again on the way out."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from partners.knowledge.text import safe_html

register = template.Library()


@register.filter
def rich(text: str) -> SafeString:
    return safe_html(text)

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class CodeField(serializers.SlugRelatedField):
    """A related row by its code or SKU; a NUL character is refused before PostgreSQL sees it."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)

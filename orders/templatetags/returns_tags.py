"""Lets the order pages' returns card load its own rows, so host pages only need `order`."""

from __future__ import annotations

from typing import Any

from django import template

from ..models import Order
from ..returns import order_returns, return_can_request

register = template.Library()


@register.simple_tag
def returns_of_order(order: Order, user: Any) -> dict[str, Any]:
    """The returns of `order` that `user` may see, and whether the user may ask for another."""
    return {
        "returns": order_returns(order=order, user=user),
        "can_request": return_can_request(user, order),
        "is_partner": bool(getattr(user, "is_partner_user", False)),
    }

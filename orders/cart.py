"""The dealer's cart: what it means to order, with the price it was shown for each line.

A cart is a working list, not a reservation: stock, prices and promotions are settled at
checkout, which refuses when a price shown here has changed since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partners.models import Partner
from prm.core.spreadsheets import table_read

from .catalog import product_get_for_partner, products_for_partner
from .checkout import CheckoutLine, checkout
from .models import Cart, CartLine, Order, Product
from .pricing import price_for, prices_for
from .promotions import Quote, quote_build

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
UPLOAD_COLUMNS = ("sku", "quantity")
# Each line is added on its own (prices, stock, limits): a cart, not a bulk import.
MAX_UPLOAD_ROWS = 1000


def cart_for(user: Any) -> Cart:
    cart, _created = Cart.objects.get_or_create(user=user, defaults={"partner_id": user.partner_id})
    return cart


def cart_lines(cart: Cart) -> list[CartLine]:
    return list(cart.lines.select_related("product", "product__product_line").order_by("pk"))


def _price_seen(partner: Partner, product: Product, quantity: int) -> Any:
    return price_for(partner=partner, product=product, quantity=quantity).unit_price


@transaction.atomic
def cart_set(*, user: Any, product: Product, quantity: int) -> CartLine | None:
    """Put `quantity` of `product` in the cart (0 removes it); the price seen is noted now."""
    cart = cart_for(user)
    partner = cart.partner
    if not products_for_partner(partner).filter(pk=product.pk).exists():
        raise ValidationError(
            _("%(sku)s is not in a product line your company may sell.") % {"sku": product.sku}
        )
    if quantity <= 0:
        CartLine.objects.filter(cart=cart, product=product).delete()
        return None
    line, _created = CartLine.objects.update_or_create(
        cart=cart,
        product=product,
        defaults={"quantity": quantity, "seen_unit_price": _price_seen(partner, product, quantity)},
    )
    cart.save(update_fields=["updated_at"])
    return line


def cart_add(*, user: Any, product: Product, quantity: int) -> CartLine | None:
    existing = CartLine.objects.filter(cart__user=user, product=product).first()
    return cart_set(
        user=user, product=product, quantity=quantity + (existing.quantity if existing else 0)
    )


def cart_add_sku(*, user: Any, sku: str, quantity: int) -> CartLine | None:
    """Quick order: type a SKU code and a quantity."""
    product = product_get_for_partner(partner=cart_for(user).partner, sku=sku)
    if product is None:
        raise ValidationError(
            {"sku": _("No product with SKU %(sku)s for your company.") % {"sku": sku}}
        )
    if quantity < 1:
        raise ValidationError({"quantity": _("Quantity must be at least 1.")})
    return cart_add(user=user, product=product, quantity=quantity)


@transaction.atomic
def cart_reorder(*, user: Any, order: Order) -> list[str]:
    """Put the paid lines of an earlier order back in the cart; returns what could not be."""
    skipped = []
    for line in order.lines.filter(is_gift=False).select_related("product").order_by("pk"):
        try:
            cart_add(user=user, product=line.product, quantity=line.quantity)
        except ValidationError as exc:
            skipped.extend(exc.messages)
    return skipped


@dataclass
class UploadResult:
    added: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


def cart_upload(*, user: Any, upload: Any) -> UploadResult:
    """CSV with columns sku,quantity (UTF-8 or GB18030): each good row is added, each bad row
    reported with its number and reason."""
    if upload.size and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("The file is larger than 2 MB.")})
    try:
        rows = table_read(
            upload, columns=UPLOAD_COLUMNS, required=UPLOAD_COLUMNS, max_rows=MAX_UPLOAD_ROWS
        )
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    result = UploadResult()
    for number, values in rows:
        sku, quantity_text = values["sku"], values["quantity"]
        try:
            quantity = int(quantity_text)
        except ValueError:
            result.rejected.append(
                (number, _("quantity %(q)r is not a whole number") % {"q": quantity_text})
            )
            continue
        try:
            with transaction.atomic():
                cart_add_sku(user=user, sku=sku, quantity=quantity)
        except ValidationError as exc:
            result.rejected.append((number, " ".join(exc.messages)))
        else:
            result.added += 1
    return result


def cart_quote(cart: Cart) -> Quote:
    return quote_build(
        partner=cart.partner, items=[(line.product, line.quantity) for line in cart_lines(cart)]
    )


@transaction.atomic
def cart_checkout(
    *, user: Any, use_rebate: bool, use_prepaid: bool, ship_to: str, note: str
) -> Order:
    """Check the cart out and empty it; a refusal leaves the cart as it was."""
    cart = Cart.objects.select_for_update().get(user=user)
    lines = cart_lines(cart)
    order = checkout(
        partner=cart.partner,
        lines=[CheckoutLine(x.product, x.quantity, x.seen_unit_price) for x in lines],
        actor=user,
        use_rebate=use_rebate,
        use_prepaid=use_prepaid,
        ship_to=ship_to,
        note=note,
    )
    cart.lines.all().delete()
    return order


def cart_refresh_prices(cart: Cart) -> int:
    """Accept today's prices for every line (after checkout said a price changed)."""
    lines = cart_lines(cart)
    quotes = prices_for(partner=cart.partner, items=[(x.product, x.quantity) for x in lines])
    changed = [
        line
        for line, quote in zip(lines, quotes, strict=True)
        if quote.unit_price != line.seen_unit_price
    ]
    for line, quote in zip(lines, quotes, strict=True):
        line.seen_unit_price = quote.unit_price
    CartLine.objects.bulk_update(changed, ["seen_unit_price"])
    return len(changed)

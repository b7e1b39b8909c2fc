"""Orders, their lines and their review; carts."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from prm.accounts.roles import Role
from prm.core.models import AuditReasonMixin, StatusChange
from prm.core.money import CURRENCY_CHOICES, MoneyField


class OrderStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Rejected")


ORDER_TRANSITIONS: dict[str, set[str]] = {
    OrderStatus.SUBMITTED: {OrderStatus.APPROVED, OrderStatus.REJECTED, OrderStatus.CANCELLED},
    OrderStatus.APPROVED: {
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.CANCELLED,
    },
    OrderStatus.PARTIALLY_SHIPPED: {OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED},
    OrderStatus.SHIPPED: {OrderStatus.RECEIVED, OrderStatus.COMPLETED},
    OrderStatus.RECEIVED: {OrderStatus.COMPLETED},
    OrderStatus.COMPLETED: set(),
    OrderStatus.CANCELLED: set(),
    OrderStatus.REJECTED: set(),
}
# Stock is held and money charged from submission until one of these.
CLOSED_UNSHIPPED = (OrderStatus.CANCELLED, OrderStatus.REJECTED)


class Order(AuditReasonMixin, models.Model):
    number = models.CharField(_("order no."), max_length=32, unique=True, editable=False)
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.SUBMITTED,
        editable=False,
        db_index=True,
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCY_CHOICES)
    subtotal = MoneyField(
        _("subtotal"), default=0, editable=False, help_text=_("Channel prices x quantities.")
    )
    discount_total = MoneyField(
        _("discounts"), default=0, editable=False, help_text=_("Line and order promotions.")
    )
    total = MoneyField(_("total"), default=0, editable=False)
    paid_prepaid = MoneyField(_("paid from wallet"), default=0, editable=False)
    paid_rebate = MoneyField(_("paid from rebate credit"), default=0, editable=False)
    paid_credit = MoneyField(_("on credit"), default=0, editable=False)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("placed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ship_to = models.CharField(_("ship to"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("placed at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total=F("paid_prepaid") + F("paid_rebate") + F("paid_credit")),
                name="order_paid_in_full",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "orders.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    list_price = MoneyField(_("list price"), default=0)
    unit_price = MoneyField(_("unit price"))
    price_rule = models.CharField(
        _("price rule"), max_length=200, blank=True, help_text=_("Which price won, and why.")
    )
    discount = MoneyField(_("line discount"), default=0)
    order_discount = MoneyField(
        _("share of order discount"),
        default=0,
        help_text=_("The order's threshold discount spread over its lines (for returns)."),
    )
    line_total = MoneyField(_("line total"))
    is_gift = models.BooleanField(_("gift"), default=False)
    promotions = models.JSONField(_("promotions applied"), default=list, blank=True)
    shipped_quantity = models.PositiveIntegerField(_("shipped"), default=0)
    returned_quantity = models.PositiveIntegerField(_("returned"), default=0)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shipped_quantity__lte=F("quantity"))
                & Q(returned_quantity__lte=F("shipped_quantity")),
                name="order_line_quantities_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} x {self.quantity}"


class OrderStatusChange(StatusChange):
    status_labels = dict(OrderStatus.choices)

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")

    class Meta(StatusChange.Meta):
        verbose_name = _("order status change")
        verbose_name_plural = _("order status changes")


REVIEW_ROLES = [
    (Role.ORDER_DESK.value, Role.ORDER_DESK.label),
    (Role.FINANCE.value, Role.FINANCE.label),
    (Role.CHANNEL_MANAGER.value, Role.CHANNEL_MANAGER.label),
    (Role.ADMIN.value, Role.ADMIN.label),
]


class ReviewStep(AuditReasonMixin, models.Model):
    """Who must approve an order before it ships; a step counts for orders from `min_total` up.

    With no steps configured, the order desk approves every order in one step.
    """

    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    name = models.CharField(_("name"), max_length=60)
    role = models.CharField(_("approved by"), max_length=20, choices=REVIEW_ROLES)
    min_total = MoneyField(_("for orders from"), default=0)

    class Meta:
        verbose_name = _("order review step")
        verbose_name_plural = _("order review steps")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class OrderApproval(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="approvals")
    step_position = models.PositiveSmallIntegerField(_("step"))
    step_name = models.CharField(_("step name"), max_length=60)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("order approval")
        verbose_name_plural = _("order approvals")
        ordering = ["step_position"]
        constraints = [
            # Two reviewers clicking at once approve a step once.
            models.UniqueConstraint(
                fields=["order", "step_position"], name="order_approval_once_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} #{self.step_position}"


class Cart(models.Model):
    """One per partner user: what they are about to order."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart"
    )
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return f"cart of {self.user_id}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("orders.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    # The unit price shown when the line was added: checkout refuses if it has changed since.
    seen_unit_price = MoneyField(_("price seen"))
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="cart_line_once_per_product")
        ]

    def __str__(self) -> str:
        return f"{self.product_id} x {self.quantity}"


class OrderingSettings(models.Model):
    """One row per vendor: how its ordering mall behaves."""

    rebate_payment_cap = models.DecimalField(
        _("rebate credit share cap"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.3000"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("At most this fraction of each order may be paid with rebate credit."),
    )
    auto_complete_days = models.PositiveSmallIntegerField(
        _("complete shipped orders after (days)"),
        default=15,
        help_text=_("Shipped orders the dealer has not confirmed are completed after this."),
    )

    class Meta:
        verbose_name = _("ordering settings")
        verbose_name_plural = _("ordering settings")

    def __str__(self) -> str:
        return str(_("Ordering settings"))

    @classmethod
    def current(cls) -> OrderingSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row

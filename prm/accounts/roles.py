from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Vendor admin")
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")
    SALES = "sales", _("Sales rep")
    FINANCE = "finance", _("Finance")
    MARKETING = "marketing", _("Marketing")
    ORDER_DESK = "order_desk", _("Order desk")
    PARTNER_ADMIN = "partner_admin", _("Partner admin")
    PARTNER_USER = "partner_user", _("Partner user")


VENDOR_ROLES = frozenset(
    {Role.ADMIN, Role.CHANNEL_MANAGER, Role.SALES, Role.FINANCE, Role.MARKETING, Role.ORDER_DESK}
)
PARTNER_ROLES = frozenset({Role.PARTNER_ADMIN, Role.PARTNER_USER})
# Vendor roles that see every partner's rows; channel managers see only the partners they own.
ALL_PARTNERS_ROLES = VENDOR_ROLES - {Role.CHANNEL_MANAGER}
# Roles a vendor may oblige to sign in with a second factor (Tenant.require_two_factor): the ones
# that can change every setting or move money.
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.FINANCE})

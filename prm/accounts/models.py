from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .roles import PARTNER_ROLES, VENDOR_ROLES, Role


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person in one vendor's schema (or a platform operator in the public schema)."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, db_index=True)
    # Set for partner-side users only; string reference keeps `prm` free of partner imports.
    partner = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=[("en", "English"), ("zh-hans", "简体中文")],
        help_text=_("Empty means the vendor's default language."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("admin site access"), default=False, editable=False)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # Kept with the user row (read on every request anyway) so that enforcing two-factor sign-in
    # costs no query; set and cleared only with the devices, in prm.accounts.two_factor.
    two_factor_enabled = models.BooleanField(_("two-factor sign-in"), default=False, editable=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                name="admin_rights_follow_role",
                condition=models.Q(role=Role.ADMIN, is_staff=True, is_superuser=True)
                | (~models.Q(role=Role.ADMIN) & models.Q(is_staff=False, is_superuser=False)),
            ),
            models.CheckConstraint(
                name="partner_roles_have_partner",
                condition=(
                    models.Q(role__in=sorted(PARTNER_ROLES), partner__isnull=False)
                    | models.Q(role__in=sorted(VENDOR_ROLES), partner__isnull=True)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def _derive_admin_rights(self) -> None:
        # Admin-site rights follow the role and nothing else: a demoted admin loses them at once.
        self.is_staff = self.is_superuser = self.role == Role.ADMIN

    def clean(self) -> None:
        super().clean()
        self._derive_admin_rights()
        self.email = self.email.strip().lower()
        if self.role in PARTNER_ROLES and self.partner_id is None:
            raise ValidationError({"partner": _("Partner users must belong to a partner.")})
        if self.role in VENDOR_ROLES and self.partner_id is not None:
            raise ValidationError({"partner": _("Vendor staff cannot belong to a partner.")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._derive_admin_rights()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "is_staff", "is_superuser"}
        super().save(*args, **kwargs)

    @property
    def is_vendor_staff(self) -> bool:
        return self.role in VENDOR_ROLES

    @property
    def is_partner_user(self) -> bool:
        return self.role in PARTNER_ROLES and self.partner_id is not None

    @property
    def home_url(self) -> str:
        return "/portal/" if self.is_partner_user else "/"

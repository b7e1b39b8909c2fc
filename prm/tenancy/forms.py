from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from prm.core.files import MAX_IMAGE_PIXELS, safe_filename

from .models import Tenant

LOGO_MAX_BYTES = 1024 * 1024
LOGO_TYPES = {"PNG", "JPEG", "WEBP"}


class VendorSettingsForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ["name", "logo", "time_zone", "default_language", "require_two_factor"]

    def clean_logo(self) -> object:
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            if logo.size is not None and logo.size > LOGO_MAX_BYTES:
                raise ValidationError(_("The logo must be 1 MB or smaller."))
            # ImageField has already opened it with Pillow; trust the decoded format only.
            image_format = getattr(getattr(logo, "image", None), "format", None)
            if image_format not in LOGO_TYPES:
                raise ValidationError(_("Upload a PNG, JPEG or WebP image."))
            width, height = logo.image.size  # type: ignore[attr-defined]
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    _("%(name)s has too many pixels (at most %(mp)d million).")
                    % {"name": safe_filename(logo.name or ""), "mp": MAX_IMAGE_PIXELS // 1_000_000}
                )
            # Named for its decoded format: the logo is served with the type its name implies,
            # never the uploader's ("logo.html" holding a PNG).
            logo.name = f"logo.{image_format.lower()}"
        return logo

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from prm.tenancy.services import vendor_create


class Command(BaseCommand):
    help = "Provision a vendor: schema, domain <slug>.<base domain> and its first admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--currency", default="CNY")
        parser.add_argument("--time-zone", default="Asia/Shanghai")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args: object, **opts: str) -> None:
        started = time.monotonic()
        try:
            vendor = vendor_create(
                slug=opts["slug"],
                name=opts["name"],
                admin_email=opts["admin_email"],
                currency=opts["currency"],
                time_zone=opts["time_zone"],
                default_language=opts["language"],
            )
        except ValidationError as exc:
            reasons = "; ".join(
                f"{field}: {' '.join(str(m) for m in msgs)}"
                for field, msgs in exc.message_dict.items()
            )
            raise CommandError(reasons) from None
        self.stdout.write(
            f"Vendor '{vendor.tenant.name}' ready in {time.monotonic() - started:.1f}s\n"
            f"  URL:      http://{vendor.domain}:8000/\n"
            f"  Admin:    {vendor.admin_email}\n"
            f"  Password: {vendor.admin_password}  (one-time: change it at first login)"
        )

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from prm.tenancy.backup import tenant_backup
from prm.tenancy.models import Tenant
from prm.tenancy.services import schema_name_for


class Command(BaseCommand):
    help = "Dump one vendor's schema to <out>/<slug>-<UTC time>.sql plus a .json sidecar."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, metavar="SLUG")
        parser.add_argument("--out", dest="out_dir", type=Path, default=None, metavar="DIR")

    def handle(self, *args: object, **opts: object) -> None:
        slug = str(opts["tenant"])
        schema = schema_name_for(slug)
        if not Tenant.objects.filter(schema_name=schema).exists():
            raise CommandError(f"no vendor '{slug}'")
        folder = opts["out_dir"] or Path(settings.DATA_DIR) / "backups"
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        try:
            files = tenant_backup(schema, Path(str(folder)) / f"{slug}-{stamp}.sql")
        except (RuntimeError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Backup of '{slug}' written:\n  {files.sql}\n  {files.meta}")

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from prm.tenancy.backup import RestoreRefused, tenant_restore


class Command(BaseCommand):
    help = "Load a backup_tenant dump as a NEW vendor (never over an existing one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", required=True, type=Path, metavar="PATH")
        parser.add_argument("--as", required=True, dest="new_slug", metavar="NEWSLUG")

    def handle(self, *args: object, **opts: object) -> None:
        slug = str(opts["new_slug"])
        try:
            tenant = tenant_restore(Path(str(opts["file"])), slug)
        except (RestoreRefused, RuntimeError, ValidationError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored as vendor '{tenant.name}' ({tenant.schema_name}): "
            f"http://{slug}.{settings.PRM_BASE_DOMAIN}:8000/"
        )

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from prm.tenancy.backup import RestoreRefused, tenant_restore


def newest_dump(folder: Path, slug: str) -> Path:
    # Names carry a sortable UTC stamp (backup_tenant), so the last name is the newest dump.
    dumps = sorted(folder.glob(f"{slug}-*Z.sql"))
    if not dumps:
        raise CommandError(f"no backup of '{slug}' in {folder}")
    return dumps[-1]


class Command(BaseCommand):
    help = (
        "Load a backup_tenant dump as a NEW vendor (never over an existing one): "
        "--file PATH, or --tenant SLUG for that vendor's newest dump."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--file", type=Path, metavar="PATH")
        source.add_argument("--tenant", metavar="SLUG")
        parser.add_argument("--from", dest="in_dir", type=Path, default=None, metavar="DIR")
        parser.add_argument(
            "--as",
            dest="new_slug",
            default=None,
            metavar="NEWSLUG",
            help="defaults to SLUG-restored with --tenant",
        )

    def handle(self, *args: object, **opts: object) -> None:
        slug = opts["new_slug"]
        if opts["file"]:
            path = Path(str(opts["file"]))
            if not slug:
                raise CommandError("--as NEWSLUG is required with --file")
        else:
            folder = opts["in_dir"] or Path(settings.DATA_DIR) / "backups"
            path = newest_dump(Path(str(folder)), str(opts["tenant"]))
            slug = slug or f"{opts['tenant']}-restored"
        try:
            tenant = tenant_restore(path, str(slug))
        except (RestoreRefused, RuntimeError, ValidationError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored {path.name} as vendor '{tenant.name}' ({tenant.schema_name}): "
            f"http://{slug}.{settings.PRM_BASE_DOMAIN}:8000/"
        )

from django.core.management.base import BaseCommand

from prm.tenancy.services import platform_ensure


class Command(BaseCommand):
    help = "Create the public tenant and its base-domain entry (idempotent)."

    def handle(self, *args: object, **opts: object) -> None:
        tenant = platform_ensure()
        self.stdout.write(f"Platform tenant '{tenant.schema_name}' ready.")

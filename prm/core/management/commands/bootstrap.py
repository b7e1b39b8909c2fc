from django.core.management import call_command
from django.core.management.base import BaseCommand

from prm.tenancy.template import template_refresh


class Command(BaseCommand):
    help = (
        "Migrate the public schema, every vendor schema and the template new vendors are copied "
        "from, then ensure the platform tenant."
    )

    def handle(self, *args: object, **opts: object) -> None:
        call_command("migrate_schemas", interactive=False, verbosity=0)
        template_refresh()
        call_command("setup_platform")

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate the public schema and every vendor schema, then ensure the platform tenant."

    def handle(self, *args: object, **opts: object) -> None:
        call_command("migrate_schemas", interactive=False, verbosity=0)
        call_command("setup_platform")

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from prm.accounts.models import User
from prm.accounts.two_factor import two_factor_reset
from prm.tenancy.models import Tenant
from prm.tenancy.services import schema_name_for


class Command(BaseCommand):
    help = (
        "Remove one user's two-factor devices and backup codes: the recovery for a vendor whose "
        "only admin lost both (others use the admin action)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, metavar="SLUG")
        parser.add_argument("--email", required=True)

    def handle(self, *args: object, **opts: object) -> None:
        slug, email = str(opts["tenant"]), str(opts["email"]).strip().lower()
        schema = schema_name_for(slug)
        if not Tenant.objects.filter(schema_name=schema).exists():
            raise CommandError(f"no vendor '{slug}'")
        with schema_context(schema):
            user = User.objects.filter(email=email).first()
            if user is None:
                raise CommandError(f"no user '{email}' at '{slug}'")
            two_factor_reset(user=user)  # audited without an actor: the platform did it
        self.stdout.write(f"Two-factor sign-in reset for {email} at '{slug}'.")

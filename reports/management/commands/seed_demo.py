from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context

from reports.demo import SLUG, demo_exists, demo_logins, seed_demo


class Command(BaseCommand):
    help = "Create the demo vendor with bilingual sample data (skipped if it exists)."

    def handle(self, *args: object, **opts: object) -> None:
        if demo_exists():
            self.stdout.write("Demo vendor exists; keeping its data.")
        else:
            seed_demo()
            self.stdout.write(self.style.SUCCESS("Demo vendor created."))
        from prm.tenancy.selectors import tenant_base_url

        with schema_context(SLUG):
            url = tenant_base_url()
        self.stdout.write(f"\nDemo logins ({url}/):")
        for login in demo_logins():
            self.stdout.write(
                f"  {login.role:<28} {login.email:<32} {login.password}  → {login.portal}"
            )

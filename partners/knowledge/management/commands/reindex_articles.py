"""Rebuild every article's search index in one vendor's schema: after a change to how text is
indexed (knowledge.search), or to repair rows written around the services.

    manage.py tenant_command reindex_articles --schema=<vendor schema>
    manage.py all_tenants_command --no-public reindex_articles
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django_tenants.utils import get_public_schema_name

from partners.knowledge.models import Article
from partners.knowledge.services import articles_reindex
from prm.tenancy.db import tenant_connection


class Command(BaseCommand):
    help = (
        "Re-index every knowledge-base article of the current vendor schema (run it through "
        "tenant_command --schema=<schema>, or all_tenants_command --no-public)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        schema = tenant_connection().schema_name
        if schema == get_public_schema_name():
            # The platform schema has no articles; all_tenants_command visits it too.
            self.stdout.write("public: no knowledge base here, skipped.")
            return
        with transaction.atomic():
            count = articles_reindex(Article.objects.all())
        self.stdout.write(f"{schema}: {count} articles re-indexed.")

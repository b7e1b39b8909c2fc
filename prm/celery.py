"""The tenant-aware Celery app.

tenant-schemas-celery stamps every message with the schema it was sent from and switches the
worker's connection to that schema before the task runs, so a task queued in vendor A's request
reads and writes only A's schema. Periodic jobs go through `prm.core.tasks.dispatch_to_tenants`.
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings.dev")

app = CeleryApp("prm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

"""Settings of the web server and the Celery worker an end-to-end run starts.

The test settings, plus what those processes must share with the pytest process that seeded the
demo vendor: its media folder (the agreement PDFs and uploads the seed wrote are there) and a
Celery queue of the run's own, so the tasks its server queues reach its worker and no other.
"""

import os
from pathlib import Path

from prm.settings.test import *  # noqa: F403
from prm.settings.test import STORAGES

MEDIA_ROOT = Path(os.environ["PRM_E2E_MEDIA_ROOT"])
STORAGES["platform"]["OPTIONS"] = {
    "location": MEDIA_ROOT / "_platform",
    "base_url": "/media/_platform/",
}
CELERY_TASK_DEFAULT_QUEUE = os.environ["PRM_E2E_QUEUE"]
# A page that fails leaves its traceback in .data/e2e/web.log (the test settings log nothing).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
}

"""Fast settings for the test suite; still real PostgreSQL and Redis."""

import atexit
import os
import shutil
import tempfile
import zlib
from pathlib import Path

from prm.embedded import celery_url, with_redis_db

from .base import *  # noqa: F403
from .base import CACHES, DATABASES, REDIS_URL, STORAGES

# Parallel runs on one machine (several worktrees, helpers) each take their own database.
DATABASES["default"]["TEST"]["NAME"] = os.environ.get("PRM_TEST_DB", "test_prm")

# Same server as `make demo`, other logical database: a running demo worker never takes test tasks.
_test_db = DATABASES["default"]["TEST"]["NAME"]
_redis_db = 9 if _test_db == "test_prm" else 10 + zlib.crc32(_test_db.encode()) % 6
REDIS_URL = with_redis_db(REDIS_URL, int(os.environ.get("PRM_TEST_REDIS_DB", _redis_db)))
CACHES["default"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = celery_url(REDIS_URL)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BEAT_SCHEDULE = {}
PRM_HEALTH_WORKER_TTL = 0.0
LOGGING = {"version": 1, "disable_existing_loggers": False}

# Uploaded and generated files of a test run go to a folder of their own, removed at exit.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="prm-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
STORAGES["platform"]["OPTIONS"] = {  # type: ignore[index]
    "location": MEDIA_ROOT / "_platform",
    "base_url": "/media/_platform/",
}
# The outbox tests' receivers listen on 127.0.0.1 (tests/prm/integrations/receiver.py).
PRM_EGRESS_ALLOWED_NETWORKS = ["127.0.0.0/8"]
# Every new test Client builds the middleware again; WhiteNoise would walk every static file
# (node_modules included) each time. Autorefresh looks files up per request instead.
WHITENOISE_AUTOREFRESH = True

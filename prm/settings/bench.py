"""`make bench`: production-like settings (no debug toolbar, no query logging, cached templates)
on a database and Redis database of their own, so benchmark vendors never mix with the demo."""

import os

import dj_database_url

from prm.embedded import celery_url, with_database, with_redis_db

from .base import *  # noqa: F403
from .base import CACHES, DATABASE_URL, DATABASES, REDIS_URL

DEBUG = False
ALLOWED_HOSTS = ["*"]
PRM_BENCH_DB = os.environ.get("PRM_BENCH_DB", "prm_bench")
DATABASES["default"].update(
    dj_database_url.parse(with_database(DATABASE_URL, PRM_BENCH_DB), conn_max_age=60)
)
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
REDIS_URL = with_redis_db(REDIS_URL, int(os.environ.get("PRM_BENCH_REDIS_DB", "8")))
CACHES["default"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = celery_url(REDIS_URL)
CELERY_BEAT_SCHEDULE = {}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False}

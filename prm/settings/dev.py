"""Local development and `make demo`."""

import os

from .base import *  # noqa: F403

PRM_SITE_PORT = os.environ.get("PRM_SITE_PORT", "8000")

"""Local development and `make demo`."""

from .base import *  # noqa: F403

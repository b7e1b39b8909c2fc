"""Imports every module that registers a document builder (see `reports.documents`)."""

from . import (
    cockpit_document,  # noqa: F401
    forecast_document,  # noqa: F401
    scoreboard_document,  # noqa: F401
)

"""Imports every module that registers a document builder (see `reports.documents`)."""

from . import scoreboard_document  # noqa: F401

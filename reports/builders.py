"""Imports every module that registers a document builder (see `reports.documents`)."""

"""Helpers of the page tests: English clients, flashed messages, tables and downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from prm.accounts.models import User
from tests.conftest import login


def english(user: User) -> Client:
    client = login(Client(HTTP_HOST="alpha.localhost"), user)
    client.cookies["prm_language"] = "en"
    return client


def flashed(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def table_rows(response: Any, key: str) -> list[list[Any]]:
    """A table's rows (raw values) as the page was given them."""
    for shown in response.context["tables"]:
        if shown.table.key == key:
            return shown.table.rows
    raise AssertionError(f"no table {key}")


def csv_rows(response: Any) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def xlsx_rows(response: Any) -> list[list[Any]]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]

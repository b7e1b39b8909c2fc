"""Cells of exported CSV files: text someone typed must not run as a formula when a spreadsheet
opens the file (CSV injection), so text starting like a formula is prefixed with a quote."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def text_cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value

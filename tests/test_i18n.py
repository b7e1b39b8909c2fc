"""Every UI string has a Chinese translation, and the compiled catalog matches the source."""

import ast
import gettext
from pathlib import Path
from typing import Any

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES"


def _po_entries() -> list[dict[str, Any]]:
    """A minimal .po reader: one dict per entry, continuation lines joined."""
    entries: list[dict[str, Any]] = []
    for block in (LOCALE / "django.po").read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, Any] = {"fuzzy": False}
        key = ""
        for line in block.splitlines():
            if line.startswith("#~"):  # obsolete entries are not shipped
                break
            if line.startswith("#,"):
                entry["fuzzy"] = "fuzzy" in line
            elif line.startswith(("msgctxt", "msgid", "msgstr")):
                key, _, literal = line.partition(" ")
                entry[key] = ast.literal_eval(literal)
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_catalog_is_complete():
    entries = _po_entries()
    untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    fuzzy = [e["msgid"] for e in entries if e["fuzzy"]]

    assert len(entries) > 150
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalog_matches_source():
    with (LOCALE / "django.mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    stale = []
    for entry in _po_entries():
        if "msgid_plural" in entry:
            got = catalog.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            expected = entry["msgstr[0]"]
        elif "msgctxt" in entry:
            got = catalog.pgettext(entry["msgctxt"], entry["msgid"])
            expected = entry["msgstr"]
        else:
            got, expected = catalog.gettext(entry["msgid"]), entry["msgstr"]
        if got != expected:
            stale.append(entry["msgid"])

    assert stale == [], "run `make messages` to recompile locale/"

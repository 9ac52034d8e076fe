"""The one rule for text bound for a spreadsheet (report CSV/XLSX, `-o csv`, `-o xlsx`)."""

from __future__ import annotations

# A cell starting with one of these is a formula to Excel and LibreOffice (DDE: `=cmd|...`).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise_formula(text: str) -> str:
    """A spreadsheet must not run tenant text: `=cmd|...` becomes `'=cmd|...`."""
    return "'" + text if text.startswith(FORMULA_START) else text

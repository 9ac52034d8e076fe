"""Finding a pool or department by what an operator types: a code or a name, any case; an
unknown one is an error that names the closest match."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from govcloud.core import models as m
from govcloud.core.errors import NotFoundError


def department_code(departments: Sequence[m.Department], ref: str) -> str:
    """A department by code or any of its names, case-insensitive."""
    key = ref.strip().casefold()
    for d in departments:
        if key in (d.code.casefold(), d.short_zh.casefold(), d.name_zh.casefold(),
                   d.name_en.casefold()):  # fmt: skip
            return d.code
    names = [d.code for d in departments] + [d.short_zh for d in departments]
    raise NotFoundError(f"no department {ref!r}", hint=closest_hint(ref, names))


def pool_code(pools: Sequence[m.Pool], ref: str) -> str:
    key = ref.strip().casefold()
    for p in pools:
        if key == p.code.casefold():
            return p.code
    raise NotFoundError(f"no pool {ref!r}", hint=closest_hint(ref, [p.code for p in pools]))


def closest_hint(word: str, known: list[str]) -> str:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.5)
    if close:
        return f"did you mean {close[0]!r}?"
    return "known: " + (", ".join(sorted(known)[:20]) or "(none)")

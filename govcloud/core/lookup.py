"""Finding a pool, department or business system by what an operator types: a code or a name,
any case. One rule for every command: an unknown one is an error (NotFoundError) that names the
closest matches, never an empty listing that looks like "nothing there"."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from govcloud.core import models as m
from govcloud.core.errors import NotFoundError

Names = dict[str, tuple[str, ...]]  # code -> the words that name it (the code first)
EMPTY_STORE_HINT = "the store is empty: run `govcloud inventory load DIR` or `govcloud sync`"


def department_code(departments: Sequence[m.Department], ref: str) -> str:
    """A department by code, short name, full name or English name, case-insensitive."""
    names: Names = {d.code: (d.code, d.short_zh, d.name_zh, d.name_en) for d in departments}
    code = _match(names, ref)
    if code is None:
        known = [n for d in departments for n in (d.code, d.short_zh)]
        hint = closest_hint(ref, known, none=EMPTY_STORE_HINT)
        raise NotFoundError(f"no department {ref!r}", hint=hint)
    return code


def pool_code(pools: Sequence[m.Pool], ref: str) -> str:
    """A pool by code or its Chinese or English name, case-insensitive."""
    names: Names = {p.code: (p.code, p.name_zh, p.name_en) for p in pools}
    code = _match(names, ref)
    if code is None:
        hint = closest_hint(ref, [p.code for p in pools], none=EMPTY_STORE_HINT)
        raise NotFoundError(f"no pool {ref!r}", hint=hint)
    return code


def system_code(
    systems: Sequence[m.BusinessSystem], ref: str, undeclared: Iterable[str] = ()
) -> str:
    """A business system by code or its Chinese or English name, case-insensitive. UNDECLARED
    are codes that servers carry in their metadata without a declared system: they match too
    (by code only), so a server tagged with a system nobody declared can still be listed."""
    names: Names = {s.code: (s.code, s.name_zh, s.name_en) for s in systems}
    for tagged in undeclared:
        names.setdefault(tagged, (tagged,))
    code = _match(names, ref)
    if code is None:
        hint = closest_hint(ref, list(names), none="no business systems are declared")
        raise NotFoundError(f"no business system {ref!r}", hint=hint)
    return code


def _match(names: Names, ref: str) -> str | None:
    """The code whose code or names equal REF ignoring case and surrounding blanks; an exact
    code wins over a name that happens to equal another object's code in another case."""
    key = ref.strip().casefold()
    if ref.strip() in names:
        return ref.strip()
    for code, words in names.items():
        if key in (w.casefold() for w in words if w):
            return code
    return None


def closest_hint(word: str, known: list[str], none: str = "known: (none)") -> str:
    """`did you mean ...?` with up to three close matches (case-insensitive), else a few of the
    known names, else NONE (for pools and departments: the store has not been loaded yet)."""
    if not known:
        return none
    folded = {k.casefold(): k for k in known}
    close = difflib.get_close_matches(word.strip().casefold(), list(folded), n=3, cutoff=0.5)
    if close:
        return "did you mean " + " or ".join(repr(folded[c]) for c in close) + "?"
    return "known: " + ", ".join(sorted(known)[:20])

"""The first-run rule for listings: an empty store is not an empty estate.

A listing that comes back with no rows asks whether the store holds anything at all; if not, a
note on stderr says how to fill it. The exit code stays 0 and stdout stays what it was (the
empty table, `[]` with -o json, whose stderr stays empty): a script sees "no rows", a person sees
why. The question is asked only for empty listings, so full ones pay nothing for it.
"""

from __future__ import annotations

from collections.abc import Sized

from govcloud.cli.state import CliState


def note_if_empty(st: CliState, rows: Sized) -> None:
    if len(rows):
        return
    from govcloud.core.lookup import EMPTY_STORE_HINT
    from govcloud.services import views

    if views.store_is_empty(st.settings):
        st.note(f"note: {EMPTY_STORE_HINT}")

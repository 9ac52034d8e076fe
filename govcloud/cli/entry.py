"""The `govcloud` executable: a read command goes to this user's warm reader when one runs
(`govcloud warm start`), everything else (and every read when none runs) runs here."""

from __future__ import annotations

import sys


def main() -> None:
    from govcloud.cli.warm_client import try_warm

    code = try_warm(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    from govcloud.cli.main import main as run_here

    run_here()

"""The CLI edge: run the app; every GovcloudError becomes one line (or JSON object) + exit code."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from typer._click.exceptions import ClickException

from govcloud.cli.argv import hoist_global_options
from govcloud.cli.render import escape_controls
from govcloud.cli.state import CliState
from govcloud.core.errors import EXIT_USAGE, GovcloudError


def run(app: typer.Typer, argv: list[str] | None, st: CliState) -> int:
    try:
        args = hoist_global_options(sys.argv[1:] if argv is None else argv)
        result: Any = app(args=args, prog_name="govcloud", standalone_mode=False, obj=st)
    except GovcloudError as exc:
        report(exc, st)
        return exc.exit_code
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except ClickException as exc:
        exc.show()
        return exc.exit_code if exc.exit_code else EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return result if isinstance(result, int) else 0


def report(exc: GovcloudError, st: CliState) -> None:
    if st.output_mode == "json":
        print(json.dumps({"error": exc.to_dict()}, ensure_ascii=False))
        return
    print(f"error: {escape_controls(exc.message)}", file=sys.stderr)
    if exc.hint:
        print(f"hint: {escape_controls(exc.hint)}", file=sys.stderr)

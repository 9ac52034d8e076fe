"""The CLI edge: run the app; every GovcloudError becomes one line (or JSON object) + exit code."""

from __future__ import annotations

import errno
import io
import json
import re
import sys
from typing import Any

import typer
from typer._click.exceptions import ClickException

from govcloud.cli.argv import front_value, hoist_global_options
from govcloud.cli.options import name_metavars
from govcloud.cli.render import escape_controls
from govcloud.cli.role import guard
from govcloud.cli.state import CliState
from govcloud.core.errors import EXIT_USAGE, GovcloudError, UsageError


def run(app: typer.Typer, argv: list[str] | None, st: CliState) -> int:
    try:
        command = typer.main.get_command(app)
        name_metavars(command)
        args = hoist_global_options(sys.argv[1:] if argv is None else argv, command)
        # a usage error can come before the root callback has read these: say it as asked
        st.lang = st.lang or front_value(args, "--lang")
        st.output = st.output or front_value(args, "-o", "--output")
        check_arguments(args)
        guard(command, st)  # roles: every command is checked here, before its body runs
        result: Any = command.main(args=args, prog_name="govcloud", standalone_mode=False, obj=st)
    except GovcloudError as exc:
        report(exc, st)
        return exc.exit_code
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except ClickException as exc:
        show_click(exc, st)
        return exc.exit_code if exc.exit_code else EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except UnicodeEncodeError as exc:
        # argv bytes that are not UTF-8 (a GBK terminal) reach Python as lone surrogates; a
        # path works with them, text bound to SQL or printed does not
        if "surrogate" not in exc.reason:
            raise
        report(
            UsageError(
                "an argument is not valid UTF-8 text (typed in a GBK terminal?)",
                hint="set the terminal and LANG to UTF-8, e.g. LANG=zh_CN.UTF-8",
            ),
            st,
        )
        return EXIT_USAGE
    except OverflowError as exc:  # a number past what the store or the clock can hold
        report(UsageError(f"a number is out of range ({exc})"), st)
        return EXIT_USAGE
    except OSError as exc:  # a path the system refuses (too long, a loop, no permission)
        report(os_error(exc), st)
        return EXIT_USAGE if exc.errno in (errno.ENAMETOOLONG, errno.EINVAL) else 1
    return result if isinstance(result, int) else 0


_SURROGATE = re.compile("[\udc80-\udcff]")
MAX_ARGUMENT_CHARS = 4096  # PATH_MAX; no name, filter or path of govcloud is longer


def check_arguments(args: list[str]) -> None:
    """Refuse what no command can use, before any command sees it: a NUL (it cuts paths
    and SQL text short), bytes that are not UTF-8 (Python hands them on as lone surrogates,
    which the store, the audit trail and the terminal cannot take) and an argument longer
    than any path or name can be."""
    for number, arg in enumerate(args, 1):
        if "\0" in arg:
            raise UsageError(f"argument {number} contains a NUL byte")
        if _SURROGATE.search(arg):
            raise UsageError(
                f"argument {number} is not valid UTF-8 (typed in a GBK terminal? a GBK file name?)",
                hint="set the terminal and LANG to UTF-8 (e.g. zh_CN.UTF-8); rename GBK files",
            )
        if len(arg) > MAX_ARGUMENT_CHARS:
            raise UsageError(
                f"argument {number} is {len(arg):,} characters long "
                f"(at most {MAX_ARGUMENT_CHARS:,})"
            )


def os_error(exc: OSError) -> GovcloudError:
    name = str(exc.filename) if exc.filename is not None else ""
    shown = name if len(name) <= 120 else name[:60] + "..." + name[-40:]
    reason = exc.strerror or type(exc).__name__
    return GovcloudError(f"{shown}: {reason}" if shown else reason)


def report(exc: GovcloudError, st: CliState) -> None:
    """JSON errors keep the English message: scripts match on it, whatever --lang says."""
    if st.output_mode == "json":
        print(json.dumps({"error": exc.to_dict()}, ensure_ascii=False))
        return
    lines = [f"error: {exc.message}"] + ([f"hint: {exc.hint}"] if exc.hint else [])
    for line in lines:
        print(escape_controls(_in_lang(line, st)), file=sys.stderr)


def show_click(exc: ClickException, st: CliState) -> None:
    """Click's own usage errors (No such option, Missing argument), in the user's language."""
    if st.display_lang != "zh":
        exc.show()
        return
    shown = io.StringIO()
    exc.show(file=shown)
    print(_in_lang(shown.getvalue().rstrip("\n"), st), file=sys.stderr)


def _in_lang(text: str, st: CliState) -> str:
    if st.display_lang != "zh":
        return text
    from govcloud.cli.messages import translate  # the catalogue loads only when it is needed

    return translate(text, "zh")

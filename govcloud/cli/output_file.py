"""`--output-file FILE`: what a command lists goes to FILE instead of stdout.

The format is `-o`, or else the file's suffix (.xlsx .csv .json .yaml .yml); `-o xlsx` needs
a file, since a workbook on a terminal is unreadable. The file is rewritten whole after each
table the command renders (atomically, 0600, via adapters.files.write_private): a command that
renders several tables leaves one file with all of them (one sheet each in a workbook), and
one that fails halfway leaves what it had rendered, never half a file. An existing file is
replaced only with `--force`: a mistyped name must not replace someone's file (we may run as
root), checked before the command does any work.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from govcloud.core.errors import UsageError

if TYPE_CHECKING:
    from govcloud.adapters.listing_xlsx import Sheet

SUFFIX_FORMATS = {".xlsx": "xlsx", ".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


class OutputFile:
    def __init__(self, path: Path, *, force: bool = False) -> None:
        self.path = path
        self.force = force
        self._text: list[str] = []
        self._sheets: list[Sheet] = []
        self._written = False

    def check(self) -> None:
        """Refuse a file we may not replace, before the command runs."""
        path = self.path
        if not path.parent.is_dir():
            raise UsageError(f"folder {path.parent} does not exist", hint="create it first")
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise UsageError(f"{path} is not a plain file", hint="write to a new file name")
        if path.exists() and not self.force and not self._written:
            raise UsageError(
                f"{path} already exists", hint="write to a new file name, or --force to replace it"
            )

    def add_text(self, text: str) -> None:
        self._text.append(text)
        self._write("".join(self._text).encode("utf-8"))

    def add_sheet(self, sheet: Sheet) -> None:
        from govcloud.adapters.listing_xlsx import workbook

        self._sheets.append(sheet)
        self._write(workbook(self._sheets))

    def _write(self, data: bytes) -> None:
        from govcloud.adapters.files import write_private

        self.check()  # again: the file may have appeared while the command ran
        write_private(self.path, data)
        self._written = True


def prepare(output: str | None, output_file: str | None, force: bool) -> OutputFile | None:
    """The global options checked together: the file to write, or None for stdout.

    OUTPUT is the -o flag as given; a known suffix of OUTPUT_FILE must agree with it.
    """
    wanted = output or os.environ.get("GOVCLOUD_OUTPUT")
    if output_file is None:
        if wanted == "xlsx":
            raise UsageError(
                "-o xlsx needs --output-file (a workbook on a terminal is unreadable)",
                hint="e.g. govcloud vm list -o xlsx --output-file vms.xlsx",
            )
        return None
    if not output_file.strip() or "\0" in output_file:
        raise UsageError(f"--output-file is not a path: {output_file!r}")
    path = Path(output_file).expanduser()
    implied = SUFFIX_FORMATS.get(path.suffix.lower())
    if output is not None and implied is not None and implied != output:
        raise UsageError(
            f"-o {output} does not match the file name {path.name}",
            hint=f"use -o {implied}, or another file name",
        )
    sink = OutputFile(path, force=force)
    sink.check()
    return sink


def implied_format(sink: OutputFile | None) -> str | None:
    """The format an --output-file's suffix asks for, when -o is not given."""
    return None if sink is None else SUFFIX_FORMATS.get(sink.path.suffix.lower())

"""Global options read before Click runs the root (cli/argv.py)."""

from __future__ import annotations

import pytest

from govcloud.cli.argv import front_value


@pytest.mark.parametrize(
    ("argv", "names", "expected"),
    [
        (["--lang", "zh", "vmm"], ("--lang",), "zh"),
        (["--lang=en", "vm", "list"], ("--lang",), "en"),
        (["--db", "x.db", "--lang", "zh", "vm"], ("--lang",), "zh"),
        (["--db", "--lang", "vm"], ("--lang",), None),  # "--lang" is --db's value here
        (["-ojson", "vm"], ("-o", "--output"), "json"),
        (["-o", "csv", "vm"], ("-o", "--output"), "csv"),
        (["vm", "--lang", "zh"], ("--lang",), None),  # not hoisted: after the command word
        (["--", "--lang", "zh"], ("--lang",), None),
        (["-v", "--lang"], ("--lang",), None),  # no value
    ],
)
def test_front_value(argv: list[str], names: tuple[str, ...], expected: str | None) -> None:
    assert front_value(argv, *names) == expected

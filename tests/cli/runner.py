"""Run the real CLI entry point in-process, capturing stdout and stderr apart."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from typing import Any

from govcloud.cli.errors import run
from govcloud.cli.main import app
from govcloud.cli.state import CliState


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def govcloud(*args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = run(app, list(args), CliState())
    return Result(code, out.getvalue(), err.getvalue())

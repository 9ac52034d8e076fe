"""Running configured checks over one AuditData: which checks, with which parameters, and what
they found. Pure: the services read the data and store the run.

A check that raises is recorded as that check's error; the others still run (one broken check
must not cost the rest their findings).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pydantic

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckSpec, registry
from govcloud.core.errors import UsageError
from govcloud.core.findings import Finding, sort_findings
from govcloud.core.playbook import CheckConfig


@dataclass(frozen=True)
class CheckError:
    check: str
    error: str


def resolve_checks(configs: Sequence[CheckConfig]) -> list[tuple[CheckConfig, CheckSpec[Any]]]:
    """The chosen checks with their specs; none chosen: every registered check, defaults."""
    known = registry()
    if not configs:
        return [(CheckConfig(type=name), spec) for name, spec in known.items()]
    out = []
    for cfg in configs:
        spec = known.get(cfg.type)
        if spec is None:
            raise UsageError(f"unknown check type {cfg.type!r}", hint=_check_hint(cfg.type, known))
        out.append((cfg, spec))
    return out


def _check_hint(name: str, known: dict[str, CheckSpec[Any]]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    maybe = f"; did you mean {close[0]!r}?" if close else ""
    return "valid types: " + (", ".join(known) or "(none registered)") + maybe


def run_checks(
    data: AuditData, chosen: Sequence[tuple[CheckConfig, CheckSpec[Any]]]
) -> tuple[list[Finding], list[CheckError]]:
    findings: list[Finding] = []
    errors: list[CheckError] = []
    for cfg, spec in chosen:
        try:
            params = spec.parse(cfg.params)
        except pydantic.ValidationError as exc:
            raise UsageError(
                f"check {cfg.type}: {_first_error(exc)}", hint="`govcloud playbook schema`"
            ) from None
        try:
            found = spec.run(data, params)
        except Exception as exc:  # one broken check must not cost the others their findings
            errors.append(CheckError(cfg.type, f"{type(exc).__name__}: {exc}"[:500]))
            continue
        if cfg.severity_override is not None:
            override = cfg.severity_override
            found = [dataclasses.replace(f, severity=override) for f in found]
        findings.extend(found)
    return sort_findings(findings), errors


def _first_error(exc: pydantic.ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}" if where else str(err["msg"])

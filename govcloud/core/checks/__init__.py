"""The check registry: `type:` in a playbook picks a check (cloud-custodian's vocabulary idea,
with typed parameters instead of dict soup).

A check is a pure function over an `AuditData` fetched once, with a pydantic parameter model
(`extra="forbid"`) whose defaults are documented, published anchors (DESIGN.md §7). Each check
lives in its own module in this package and registers itself on import with `@register`.

    @register("idle", IdleParams, summary=Text("...", "..."), example={"cpu_p95_pct": 5})
    def idle(data: AuditData, params: IdleParams) -> list[Finding]: ...
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from govcloud.core.audit_data import AuditData
from govcloud.core.findings import Finding, Text

P = TypeVar("P", bound=BaseModel)
CheckFn = Callable[[AuditData, P], list[Finding]]


class CheckParams(BaseModel):
    """Base of every check's parameters: unknown keys are errors, values are validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class CheckSpec(Generic[P]):
    name: str  # the `type:` a playbook names
    params: type[P]
    run: Callable[[AuditData, P], list[Finding]]
    summary: Text
    example: Mapping[str, Any] = field(default_factory=dict)  # documented, validated by a test

    def __call__(
        self, data: AuditData, params: Mapping[str, Any] | P | None = None
    ) -> list[Finding]:
        chosen = self.parse(params)
        return self.run(data, chosen)

    def parse(self, params: Mapping[str, Any] | P | None) -> P:
        model: type[P] = self.params
        if isinstance(params, model):
            return params
        assert not isinstance(params, BaseModel), "parameters of another check"
        return model.model_validate(dict(params or {}))


_REGISTRY: dict[str, CheckSpec[Any]] = {}


def register(
    type_: str, params: type[P], *, summary: Text, example: Mapping[str, Any] | None = None
) -> Callable[[CheckFn[P]], CheckFn[P]]:
    def deco(fn: CheckFn[P]) -> CheckFn[P]:
        if type_ in _REGISTRY:
            raise ValueError(f"check {type_!r} registered twice")
        _REGISTRY[type_] = CheckSpec(type_, params, fn, summary, dict(example or {}))
        return fn

    return deco


_loaded = False


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    _loaded = True


def registry() -> dict[str, CheckSpec[Any]]:
    """Every check, by type, in a stable order."""
    _load_all()
    return dict(sorted(_REGISTRY.items()))


def get(type_: str) -> CheckSpec[Any] | None:
    return registry().get(type_)

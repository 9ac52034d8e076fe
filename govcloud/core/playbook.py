"""Playbooks: a scheduled job as YAML (sync, collect, audit, rightsize, report, textfile steps).

Validation is staged so each mistake is reported where it sits:
  1. structure — safe YAML, no duplicate keys (the adapter that reads the file, with lines);
  2. schema — the typed models below (`extra="forbid"`: a misspelt key is an error);
  3. semantics — every check `type` is registered, its params validate against that check's
     model, pools exist, the window is within bounds, a textfile step has an audit to write.
Errors carry `file:line (key.path)` and a hint; the first error wins.
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from govcloud.core.errors import ValidationError
from govcloud.core.severity import Severity
from govcloud.core.source_doc import KeyPath, SourceDoc
from govcloud.core.utilization import DAY_S, parse_duration_s

if TYPE_CHECKING:  # the checks (numpy) load when a playbook is validated, not with its models
    from govcloud.core.checks import CheckSpec

REPORT_KINDS = ("capacity", "utilization", "rightsizing", "audit", "department", "migration")
REPORT_FORMATS = ("html", "xlsx", "md", "json", "csv")
MIN_WINDOW_S = 3600  # an hour: below that a percentile says nothing
MAX_WINDOW_S = 400 * DAY_S  # the embedded store's default retention


def _severity(value: Any) -> Any:
    """Accept the Chinese word for a severity too (高, 严重, ...)."""
    if isinstance(value, str):
        for s in Severity:
            if value.strip().lower() in (s.value, s.zh):
                return s.value
    return value


SeverityName = Annotated[Severity, BeforeValidator(_severity)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
PathText = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckConfig(_Model):
    """One check of an audit step: its registered type, parameters, optional severity."""

    type: Name
    params: dict[str, Any] = Field(default_factory=dict)
    severity_override: SeverityName | None = None


class SyncStep(_Model):
    type: Literal["sync"]
    pools: list[Name] | None = None  # None: every declared pool


class CollectStep(_Model):
    type: Literal["collect"]
    targets: PathText | None = None  # YAML list of targets; default: the store's servers
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    timeout: Name = "5s"


class AuditStep(_Model):
    type: Literal["audit"]
    checks: list[CheckConfig] = Field(default_factory=list)  # empty: every registered check


class RightsizeStep(_Model):
    type: Literal["rightsize"]
    tenant: Name | None = None
    pool: Name | None = None
    params: dict[str, Any] = Field(default_factory=dict)  # govcloud.core.rightsizing params


class ReportStep(_Model):
    type: Literal["report"]
    kinds: list[
        Literal["capacity", "utilization", "rightsizing", "audit", "department", "migration"]
    ] = Field(min_length=1)
    formats: list[Literal["html", "xlsx", "md", "json", "csv"]] = Field(min_length=1)
    output: PathText = "reports/{date}"  # {date}: the run's date, YYYY-MM-DD
    lang: Literal["zh", "en"] | None = None  # None: the configured language


class TextfileStep(_Model):
    """Findings as node_exporter textfile-collector metrics (the file must end in .prom)."""

    type: Literal["textfile"]
    path: PathText


Step = Annotated[
    SyncStep | CollectStep | AuditStep | RightsizeStep | ReportStep | TextfileStep,
    Field(discriminator="type"),
]


class Playbook(_Model):
    name: Name
    description: str = ""
    schedule: str | None = None  # cron or systemd OnCalendar; informational
    window: Name = "14d"
    fail_on: SeverityName | None = None
    steps: list[Step] = Field(min_length=1)

    @property
    def window_s(self) -> int:
        return max(1, round(parse_duration_s(self.window, default_unit="d")))


@dataclass(frozen=True)
class Vocabulary:
    """What semantics are checked against: registered checks, rightsizing params, pools."""

    checks: Mapping[str, CheckSpec[Any]]
    rightsize_params: type[BaseModel] | None = None
    pools: Collection[str] | None = None  # None: pools not checked (no store at hand)


def default_vocabulary(pools: Collection[str] | None = None) -> Vocabulary:
    from govcloud.core.checks import registry

    return Vocabulary(registry(), rightsize_params_model(), pools)


def rightsize_params_model() -> type[BaseModel] | None:
    """The rightsizing parameter model, imported by name (its module is optional here)."""
    try:
        module = importlib.import_module("govcloud.core.rightsizing")
    except ModuleNotFoundError:
        return None
    model: type[BaseModel] = module.RightsizeParams
    return model


def parse_playbook(doc: SourceDoc, vocab: Vocabulary) -> Playbook:
    """Stages 2 and 3 over a document the adapter has read (stage 1)."""
    if not isinstance(doc.data, dict):
        raise ValidationError(
            "a playbook is a mapping with name, steps, ...",
            location=doc.at(()),
            hint="keys: " + ", ".join(Playbook.model_fields),
        )
    try:
        book = Playbook.model_validate(doc.data)
    except pydantic.ValidationError as exc:
        raise _schema_error(exc, doc) from None
    _check_semantics(book, doc, vocab)
    return book


# --- stage 2: schema errors with their line ---------------------------------------------------


def _schema_error(exc: pydantic.ValidationError, doc: SourceDoc) -> ValidationError:
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    err = errors[0]
    loc = _data_path(tuple(err["loc"]), doc.data)
    key = _dotted(loc)
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], doc.data)
        return ValidationError(
            f"unknown key {loc[-1]!r}",
            location=doc.at(loc, key),
            hint=f"allowed here: {', '.join(allowed)}" + _closest(str(loc[-1]), allowed),
        )
    if err["type"] == "missing":
        return ValidationError(
            f"missing key {loc[-1]!r}", location=doc.at(loc[:-1], key), hint=_DOCS_HINT
        )
    if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
        given = _get(doc.data, (*loc, "type"), None)
        at = (*loc, "type") if given is not None else loc
        return ValidationError(
            "step `type` must be one of: " + ", ".join(_STEP_TYPES),
            location=doc.at(at, _dotted(at)),
            hint=_closest(str(given), _STEP_TYPES).strip() if given is not None else _DOCS_HINT,
        )
    return ValidationError(
        f"{err['msg']} (got {_short(err.get('input'))})", location=doc.at(loc, key), hint=_DOCS_HINT
    )


_DOCS_HINT = "see docs/playbooks.md for the playbook format"
_STEP_MODELS: dict[str, type[_Model]] = {
    "sync": SyncStep,
    "collect": CollectStep,
    "audit": AuditStep,
    "rightsize": RightsizeStep,
    "report": ReportStep,
    "textfile": TextfileStep,
}
_STEP_TYPES = tuple(_STEP_MODELS)


def _data_path(loc: tuple[Any, ...], data: Any) -> KeyPath:
    """pydantic's loc names the union member ('sync') after a step index: drop it."""
    out: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part not in node and node.get("type") == part:
            continue
        out.append(part)
        node = _get(node, (part,), None)
    return tuple(out)


def _allowed_keys(parent: KeyPath, data: Any) -> list[str]:
    if not parent:
        return list(Playbook.model_fields)
    node = _get(data, parent, None)
    if len(parent) == 2 and parent[0] == "steps" and isinstance(node, dict):
        model = _STEP_MODELS.get(str(node.get("type")))
        return list(model.model_fields) if model else []
    if len(parent) == 4 and parent[2] == "checks":
        return list(CheckConfig.model_fields)
    return []


def _get(data: Any, path: KeyPath, default: Any) -> Any:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return default
    return node


def _dotted(path: KeyPath) -> str | None:
    return ".".join(str(p) for p in path) or None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _closest(word: str, choices: Sequence[str]) -> str:
    match = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


# --- stage 3: semantics -----------------------------------------------------------------------


def _check_semantics(book: Playbook, doc: SourceDoc, vocab: Vocabulary) -> None:
    _check_window(book, doc)
    _check_schedule(book.schedule, doc)
    audited = False
    for i, step in enumerate(book.steps):
        at: KeyPath = ("steps", i)
        if isinstance(step, SyncStep):
            for j, pool in enumerate(step.pools or ()):
                _check_pool(pool, vocab, doc, (*at, "pools", j))
        elif isinstance(step, AuditStep):
            audited = True
            for j, check in enumerate(step.checks):
                _check_check(check, vocab, doc, (*at, "checks", j))
        elif isinstance(step, RightsizeStep):
            if step.pool:
                _check_pool(step.pool, vocab, doc, (*at, "pool"))
            if vocab.rightsize_params is not None:
                _validate_params(vocab.rightsize_params, step.params, doc, (*at, "params"))
        elif isinstance(step, TextfileStep):
            _check_textfile(step, audited, doc, at)
        elif isinstance(step, CollectStep):
            _check_duration(step.timeout, doc, (*at, "timeout"))


def _check_window(book: Playbook, doc: SourceDoc) -> None:
    where = doc.at(("window",), "window")
    try:
        window_s = parse_duration_s(book.window, default_unit="d")
    except ValueError as exc:
        raise ValidationError(str(exc), location=where, hint="e.g. window: 14d") from None
    if not MIN_WINDOW_S <= window_s <= MAX_WINDOW_S:
        raise ValidationError(
            f"window {book.window!r} is outside 1h..400d",
            location=where,
            hint="14d is the published default (AWS Compute Optimizer, Cloudpods)",
        )


def _check_duration(text: str, doc: SourceDoc, path: KeyPath) -> None:
    try:
        parse_duration_s(text)
    except ValueError as exc:
        raise ValidationError(str(exc), location=doc.at(path, _dotted(path))) from None


_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?/,#LW-]+$")
_CALENDAR = re.compile(r"^[0-9A-Za-z*~/,.:\- ]+$")


def _check_schedule(schedule: str | None, doc: SourceDoc) -> None:
    """Loose: a 5/6-field cron line, an @macro, or something shaped like OnCalendar."""
    if schedule is None:
        return
    text = schedule.strip()
    fields = text.split()
    cron = len(fields) in (5, 6) and all(_CRON_FIELD.match(f) for f in fields)
    macro = text.startswith("@") and text[1:].isalpha()
    calendar = 0 < len(text) <= 200 and bool(_CALENDAR.match(text))
    if not (cron or macro or calendar):
        raise ValidationError(
            f"schedule {_short(schedule)} is neither a cron line nor an OnCalendar expression",
            location=doc.at(("schedule",), "schedule"),
            hint='e.g. "0 2 1 * *" (cron) or "*-*-01 02:00:00" (systemd OnCalendar)',
        )


def _check_pool(pool: str, vocab: Vocabulary, doc: SourceDoc, path: KeyPath) -> None:
    if vocab.pools is None or pool in vocab.pools:
        return
    known = sorted(vocab.pools)
    raise ValidationError(
        f"unknown pool {pool!r}",
        location=doc.at(path, _dotted(path)),
        hint="declared pools: " + (", ".join(known) or "(none)") + _closest(pool, known),
    )


def _check_check(check: CheckConfig, vocab: Vocabulary, doc: SourceDoc, path: KeyPath) -> None:
    spec = vocab.checks.get(check.type)
    if spec is None:
        known = list(vocab.checks)
        raise ValidationError(
            f"unknown check type {check.type!r}",
            location=doc.at((*path, "type"), _dotted((*path, "type"))),
            hint="valid types: "
            + (", ".join(known) or "(none registered)")
            + _closest(check.type, known),
        )
    _validate_params(spec.params, check.params, doc, (*path, "params"))


def _validate_params(
    model: type[BaseModel], params: Mapping[str, Any], doc: SourceDoc, path: KeyPath
) -> None:
    try:
        model.model_validate(dict(params))
    except pydantic.ValidationError as exc:
        err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        sub = (*path, *err["loc"])
        key = _dotted(sub)
        if err["type"] == "extra_forbidden":
            allowed = list(model.model_fields)
            raise ValidationError(
                f"unknown parameter {err['loc'][-1]!r}",
                location=doc.at(sub, key),
                hint="parameters: " + ", ".join(allowed) + _closest(str(err["loc"][-1]), allowed),
            ) from None
        raise ValidationError(
            f"{err['msg']} (got {_short(err.get('input'))})",
            location=doc.at(sub, key),
            hint="`govcloud playbook schema` lists every parameter with its bounds",
        ) from None


def _check_textfile(step: TextfileStep, audited: bool, doc: SourceDoc, at: KeyPath) -> None:
    if not audited:
        raise ValidationError(
            "a textfile step writes the findings of an earlier audit step",
            location=doc.at(at, _dotted(at)),
            hint="put an `audit` step before it",
        )
    if not step.path.endswith(".prom"):
        raise ValidationError(
            "the textfile collector only reads files ending in .prom",
            location=doc.at((*at, "path"), _dotted((*at, "path"))),
            hint="e.g. /var/lib/node_exporter/textfile_collector/govcloud_audit.prom",
        )


# --- JSON Schema for editors ------------------------------------------------------------------


def playbook_schema(vocab: Vocabulary) -> dict[str, Any]:
    """Playbook JSON Schema where each check's params follow its own model (oneOf by type)."""
    schema = Playbook.model_json_schema()
    defs: dict[str, Any] = schema.setdefault("$defs", {})
    variants = []
    for name, spec in vocab.checks.items():
        params = _inline(spec.params, defs)
        variants.append(
            {
                "type": "object",
                "title": name,
                "description": spec.summary.en,
                "properties": {
                    "type": {"const": name},
                    "params": params,
                    "severity_override": defs["CheckConfig"]["properties"]["severity_override"],
                },
                "required": ["type"],
                "additionalProperties": False,
            }
        )
    if variants:
        defs["CheckConfig"] = {"oneOf": variants}
    if vocab.rightsize_params is not None:
        props = defs["RightsizeStep"]["properties"]
        props["params"] = _inline(vocab.rightsize_params, defs)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "govcloud playbook"
    return schema


def _inline(model: type[BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    sub = model.model_json_schema(ref_template="#/$defs/{model}")
    for name, value in sub.pop("$defs", {}).items():
        defs.setdefault(name, value)
    return sub

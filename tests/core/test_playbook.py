"""Playbook validation in its three stages, each error at its file:line."""

from __future__ import annotations

import json

import pytest
from pydantic import Field

from govcloud.adapters.yaml_source import parse_yaml_text
from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, CheckSpec
from govcloud.core.errors import ValidationError
from govcloud.core.findings import Finding, Text
from govcloud.core.playbook import (
    AuditStep,
    Playbook,
    ReportStep,
    Vocabulary,
    default_vocabulary,
    parse_playbook,
    playbook_schema,
)
from govcloud.core.severity import Severity


class BusyParams(CheckParams):
    percentile: float = Field(95, gt=0, le=100)
    cpu_pct: float = Field(80, ge=0, le=100)


class RightsizeLike(CheckParams):
    percentile: float = Field(98, gt=0, le=100)


def _busy(data: AuditData, params: BusyParams) -> list[Finding]:
    return []


VOCAB = Vocabulary(
    checks={
        "busy": CheckSpec("busy", BusyParams, _busy, Text("busy VMs", "繁忙云主机")),
        "idle-ish": CheckSpec("idle-ish", BusyParams, _busy, Text("idle", "闲置")),
    },
    rightsize_params=RightsizeLike,
    pools={"zw-prod", "hlw"},
)

GOOD = """\
name: monthly
description: the monthly audit
schedule: "0 2 1 * *"
window: 14d
fail_on: 高
steps:
  - type: sync
    pools: [zw-prod]
  - type: collect
  - type: audit
    checks:
      - type: busy
        params: {percentile: 99}
        severity_override: high
  - type: rightsize
    params: {percentile: 97}
  - type: report
    kinds: [audit, department]
    formats: [html, xlsx]
  - type: textfile
    path: /tmp/x.prom
"""


def parse(text: str, vocab: Vocabulary = VOCAB) -> Playbook:
    return parse_playbook(parse_yaml_text(text, "pb.yaml"), vocab)


def error(text: str, vocab: Vocabulary = VOCAB) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        parse(text, vocab)
    return info.value


def test_a_good_playbook_parses_to_typed_steps() -> None:
    book = parse(GOOD)
    assert book.fail_on is Severity.HIGH  # the Chinese word is accepted
    assert book.window_s == 14 * 86400
    audit = book.steps[2]
    assert isinstance(audit, AuditStep)
    assert audit.checks[0].params == {"percentile": 99}
    assert audit.checks[0].severity_override is Severity.HIGH
    report = book.steps[4]
    assert isinstance(report, ReportStep)
    assert report.output == "reports/{date}"


def test_malformed_yaml_is_stage_one_with_its_line() -> None:
    err = error("name: x\nsteps:\n  - type: sync\n   bad: [\n")
    assert err.location is not None
    assert err.location.line is not None
    assert "malformed YAML" in err.message


def test_duplicate_keys_are_refused() -> None:
    err = error("name: x\nname: y\nsteps: [{type: sync}]\n")
    assert "duplicate key 'name'" in err.message
    assert err.location
    assert err.location.line == 2


def test_unknown_key_names_its_line_and_the_allowed_keys() -> None:
    err = error(GOOD.replace("  - type: collect\n", "  - type: collect\n    timout: 5s\n"))
    assert err.location is not None
    assert err.location.line == 10
    assert "unknown key 'timout'" in err.message
    assert err.hint
    assert "timeout" in err.hint
    assert "did you mean 'timeout'" in err.hint


def test_unknown_top_level_key() -> None:
    err = error("name: x\nschedul: daily\nsteps: [{type: sync}]\n")
    assert err.location
    assert err.location.line == 2
    assert "schedule" in (err.hint or "")


def test_unknown_step_type_lists_the_valid_ones() -> None:
    err = error("name: x\nsteps:\n  - type: synk\n")
    assert err.location
    assert err.location.line == 3
    assert "sync, collect, audit, rightsize, report, textfile" in err.message
    assert "'sync'" in (err.hint or "")


def test_unknown_check_type_lists_valid_ones_and_the_closest() -> None:
    err = error(GOOD.replace("- type: busy", "- type: bussy"))
    assert err.location
    assert err.location.line == 12
    assert "unknown check type 'bussy'" in err.message
    assert err.hint
    assert "busy, idle-ish" in err.hint
    assert "did you mean 'busy'" in err.hint


def test_check_params_errors_point_at_the_params_line() -> None:
    text = GOOD.replace(
        "        params: {percentile: 99}\n", "        params:\n          percentile: 150\n"
    )
    err = error(text)
    assert err.location
    assert err.location.line == 14
    assert err.location.key == "steps.2.checks.0.params.percentile"
    assert "less than or equal to 100" in err.message


def test_unknown_check_parameter_lists_the_parameters() -> None:
    err = error(GOOD.replace("{percentile: 99}", "{percentil: 99}"))
    assert "unknown parameter 'percentil'" in err.message
    assert err.hint
    assert "percentile, cpu_pct" in err.hint


def test_percentile_150_in_the_real_oversized_check_is_refused() -> None:
    text = "name: x\nsteps:\n  - type: audit\n    checks:\n      - type: oversized\n"
    text += "        params:\n          percentile: 150\n"
    err = error(text, default_vocabulary())
    assert err.location
    assert err.location.line == 7


def test_rightsize_params_are_validated_too() -> None:
    err = error(GOOD.replace("{percentile: 97}", "{percentile: 0}"))
    assert err.location
    assert err.location.line == 16


@pytest.mark.parametrize("window", ["0d", "-3d", "401d", "fortnight", "30m"])
def test_window_out_of_bounds(window: str) -> None:
    err = error(GOOD.replace("window: 14d", f"window: {window}"))
    assert err.location
    assert err.location.line == 4
    assert err.location.key == "window"


def test_unknown_pool() -> None:
    err = error(GOOD.replace("pools: [zw-prod]", "pools: [zw-prd]"))
    assert "unknown pool 'zw-prd'" in err.message
    assert "did you mean 'zw-prod'" in (err.hint or "")
    assert err.location
    assert err.location.line == 8


def test_pools_are_not_checked_without_a_store() -> None:
    vocab = Vocabulary(VOCAB.checks, RightsizeLike, pools=None)
    assert parse(GOOD.replace("pools: [zw-prod]", "pools: [anything]"), vocab)


def test_report_kinds_and_formats_are_checked() -> None:
    err = error(GOOD.replace("formats: [html, xlsx]", "formats: [html, pdf]"))
    assert err.location
    assert err.location.line == 19
    assert "'csv'" in err.message
    err = error(GOOD.replace("kinds: [audit, department]", "kinds: [money]"))
    assert err.location
    assert err.location.line == 18
    assert "'department'" in err.message


def test_textfile_needs_an_audit_before_it_and_a_prom_name() -> None:
    err = error("name: x\nsteps:\n  - type: textfile\n    path: /tmp/a.prom\n")
    assert "earlier audit step" in err.message
    err = error(GOOD.replace("/tmp/x.prom", "/tmp/x.txt"))
    assert ".prom" in err.message
    assert err.location
    assert err.location.line == 21


@pytest.mark.parametrize(
    "schedule", ["0 2 1 * *", "*/15 * * * *", "@daily", "*-*-01 02:00:00", "Mon..Fri 08:00"]
)
def test_schedules_cron_and_oncalendar(schedule: str) -> None:
    assert parse(GOOD.replace('"0 2 1 * *"', json.dumps(schedule))).schedule == schedule


def test_a_nonsense_schedule_is_refused() -> None:
    err = error(GOOD.replace('"0 2 1 * *"', '"rm -rf / ; $(x)"'))
    assert err.location
    assert err.location.line == 3


def test_missing_steps_and_a_non_mapping() -> None:
    assert "missing key 'steps'" in error("name: x\n").message
    assert "mapping" in error("- just a list\n").message


def test_schema_has_each_checks_params_by_type() -> None:
    schema = playbook_schema(VOCAB)
    variants = schema["$defs"]["CheckConfig"]["oneOf"]
    assert [v["properties"]["type"]["const"] for v in variants] == ["busy", "idle-ish"]
    percentile = variants[0]["properties"]["params"]["properties"]["percentile"]
    assert percentile["maximum"] == 100
    rightsize = schema["$defs"]["RightsizeStep"]["properties"]["params"]
    assert "percentile" in rightsize["properties"]
    json.dumps(schema)  # plain JSON


def test_every_registered_check_example_validates_in_a_playbook() -> None:
    vocab = default_vocabulary()
    checks = [{"type": name, "params": dict(spec.example)} for name, spec in vocab.checks.items()]
    doc = json.dumps({"name": "all", "steps": [{"type": "audit", "checks": checks}]})
    book = parse(doc, vocab)
    assert isinstance(book.steps[0], AuditStep)
    assert len(book.steps[0].checks) == len(checks) > 0

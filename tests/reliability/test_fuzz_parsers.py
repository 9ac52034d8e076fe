"""Property-based fuzz of the parsers hostile bytes reach (issue 9 §5).

Each parser may refuse its input only with govcloud's own error for it: the exposition parser
with ScrapeError (that target's error), the spool reader by skipping and reporting lines (and
UsageError for an unreadable file), the config reader and the declared-inventory reader with
UsageError / ValidationError naming the file. Anything else would reach the user as a traceback
or abort a whole sweep. Examples are bounded so the file runs in seconds.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from govcloud.adapters.scrape import ScrapeError, ScrapeLimits, parse_exposition
from govcloud.adapters.spool_reader import SpoolReport, _records
from govcloud.adapters.yaml_source import parse_yaml_text
from govcloud.core.declared import parse_inventory
from govcloud.core.errors import UsageError
from govcloud.services.settings import read_config


def _refusal(call: Callable[[], object]) -> str | None:
    """The message of our refusal, or None when CALL accepted the input. Any exception that
    is not ours (nor a ScrapeError, a target's own failure) propagates and fails the test."""
    try:
        call()
    except UsageError as exc:  # ValidationError is one
        return exc.message
    except ScrapeError as exc:
        return str(exc)
    return None


FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same examples on every run: CI failures reproduce
    database=None,  # no .hypothesis folder in the working tree
)

# ------------------------------------------------------------------ Prometheus exposition

_names = st.sampled_from(
    ["node_cpu_seconds_total", "node_memory_MemTotal_bytes", "node_load1", "x", "a:b", "9bad"]
)
_label_values = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12
)
_numbers = st.sampled_from(["1", "-1", "1e308", "1e309", "NaN", "+Inf", "-Inf", "0x1", "", "1_0"])


@st.composite
def _exposition_line(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 4))
    name = draw(_names)
    if kind == 0:
        return f"# TYPE {name} {draw(st.sampled_from(['counter', 'gauge', 'bogus', '']))}"
    if kind == 1:
        return f"# HELP {name} {draw(_label_values)}"
    if kind == 2:
        labels = draw(st.dictionaries(st.sampled_from(["cpu", "mode", "le", "_"]), _label_values))
        body = ",".join(f'{k}="{v}"' for k, v in labels.items())
        return f"{name}{{{body}}} {draw(_numbers)}"
    if kind == 3:
        return f"{name} {draw(_numbers)} {draw(st.sampled_from(['', '123', 'x']))}"
    return draw(st.text(max_size=40))


_expositions = st.one_of(
    st.binary(max_size=400),
    st.lists(_exposition_line(), max_size=20).map(lambda ls: "\n".join(ls).encode()),
)


@FUZZ
@given(_expositions)
@example(b"")
@example(b'node_cpu_seconds_total{cpu="0",mode="idle"} 1e309\n')
@example(b'node_cpu_seconds_total{cpu="0" 1\n')
@example("node_load1 1\n".encode("utf-16"))
def test_exposition_parser_refuses_only_with_scrape_error(body: bytes) -> None:
    message = _refusal(lambda: parse_exposition(0.0, body, ScrapeLimits(max_lines=1000)))
    if message is not None:
        assert message
        assert "\n" not in message


# ------------------------------------------------------------------ agent spool

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)


@st.composite
def _spool_record(draw: st.DrawFn) -> bytes:
    record = {
        "v": draw(st.sampled_from([1, 1, 2, "1", None])),
        "ts": draw(st.one_of(st.floats(), st.integers(), st.text(max_size=4))),
        "instance_uuid": draw(
            st.one_of(st.sampled_from(["[", "a" * 200, "ok-1", "", " "]), st.text(max_size=12))
        ),
        "hostname": draw(_json_values),
        "samples": draw(
            st.one_of(
                _json_values,
                st.lists(
                    st.tuples(
                        _names,
                        st.dictionaries(st.text(max_size=4), _json_values),
                        st.one_of(st.floats(), st.integers(), st.text(max_size=3)),
                    ).map(list),
                    max_size=4,
                ),
            )
        ),
    }
    return json.dumps(record, allow_nan=True).encode()


_spools = st.lists(st.one_of(_spool_record(), st.binary(max_size=60)), max_size=8).map(
    lambda lines: b"\n".join(lines)
)


@FUZZ
@given(_spools)
@example(
    b'{"v":1,"ts":1,"instance_uuid":"[","samples":[]}\n{"v":1,"ts":1,"instance_uuid":"a","samples":[]}'
)
@example(b"[" * 5000 + b"\n" + b'{"v":1,"ts":1,"instance_uuid":"a","samples":[]}')
def test_spool_reader_skips_and_reports_never_raises(data: bytes) -> None:
    report = SpoolReport()
    records = list(_records(Path("spool-20260101T000000Z.jsonl"), io.BytesIO(data), report))
    lines = [line for line in data.split(b"\n") if line.strip()]
    assert len(records) + len(report.torn_lines) + len(report.rejected) == len(lines)
    for record in records:
        assert record.instance_uuid
        assert "[" not in record.instance_uuid


# ------------------------------------------------------------------ config and inventory YAML

_yaml_fragments = st.sampled_from(
    [
        "db: ",
        "lang: ",
        "roles: ",
        "&a ",
        "*a ",
        "!!python/object:os.system ",
        "!!binary ",
        "[",
        "]",
        "{",
        "}",
        "- ",
        ": ",
        "\n",
        "  ",
        "'",
        '"',
        "42",
        "zh",
        "~",
        "? ",
        "%YAML 1.1\n",
        "---\n",
        "\t",
        "\x1b",
        "\u202e",
    ]
)
_yaml_texts = st.one_of(
    st.lists(_yaml_fragments, max_size=30).map("".join),
    st.text(max_size=200),
)


def _write(text: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="govcloud-fuzz-"))
    path = folder / "config.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


@FUZZ
@given(_yaml_texts)
@example("db: 42\n")
@example("a: &a [*a]\n")
@example("[" * 200)
def test_config_reader_refuses_only_with_usage_error(text: str) -> None:
    path = _write(text)
    try:
        message = _refusal(lambda: read_config(path, explicit=True))
    finally:
        path.unlink()
        path.parent.rmdir()
    if message is not None:
        assert str(path) in message
        assert "\n" not in message


_keys = st.sampled_from(["pools", "departments", "systems", "jump_hosts", "legacy_hosts", "prices"])
_inventory_docs = st.one_of(
    _yaml_texts,
    st.dictionaries(_keys, _json_values, max_size=3).map(lambda d: json.dumps(d, allow_nan=True)),
)


@FUZZ
@given(_inventory_docs)
@example("pools: !!python/object/apply:os.system ['id']\n")
@example("departments:\n- code: a\n  projects: &p [*p]\n")
def test_inventory_reader_refuses_only_with_validation_error(text: str) -> None:
    message = _refusal(lambda: parse_inventory([parse_yaml_text(text, "inv/pools.yaml")]))
    if message is not None:
        assert "inv/pools.yaml" in message
        assert "\n" not in message

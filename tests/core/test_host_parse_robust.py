"""Host-fact parsers never raise: empty, truncated, missing (exit 127) or random output."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from govcloud.core.host_commands import COMMAND_KEYS, COMMANDS
from govcloud.core.host_parse import CommandOutput, parse_all

DATA = Path(__file__).parents[1] / "data" / "host_outputs" / "debian12"
AT = datetime(2025, 1, 1, tzinfo=UTC)


def test_every_command_missing_gives_empty_facts_and_notes() -> None:
    missing = {c.key: CommandOutput(127, b"", b"command not found") for c in COMMANDS}
    facts = parse_all("h", "10.0.0.1", AT, missing)
    assert facts.hostname is None
    assert facts.cpu_count is None
    assert facts.filesystems == ()
    assert "df: command not found" in facts.notes
    assert "sockets: neither ss nor netstat answered" in facts.notes


def test_no_outputs_at_all() -> None:
    facts = parse_all("h", "10.0.0.1", AT, {})
    assert "hostname: not run" in facts.notes
    assert facts.listeners == ()


def test_timed_out_command_is_said() -> None:
    facts = parse_all("h", "10.0.0.1", AT, {"df": CommandOutput(None, b"Filesystem Type 10")})
    assert "df: no exit status (timed out or cut off)" in facts.notes
    assert facts.filesystems == ()


def test_truncated_outputs_keep_whole_lines_and_say_what_was_skipped() -> None:
    outputs = {}
    for path in DATA.glob("*.txt"):
        raw = path.read_bytes()
        outputs[path.stem] = CommandOutput(0, raw[: len(raw) * 2 // 3])
    facts = parse_all("h", "10.0.0.1", AT, outputs)
    assert facts.cpu_count is not None
    assert facts.cpu_count >= 1
    lsblk = (DATA / "lsblk.txt").read_bytes()
    cut = parse_all("h", "a", AT, {"lsblk": CommandOutput(0, lsblk[:-20])})
    assert [d.name for d in cut.block_devices] == ["zram0"]
    assert any(n.startswith("lsblk: skipped a line") for n in cut.notes)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(sorted(COMMAND_KEYS)),
        st.tuples(st.one_of(st.none(), st.integers(0, 255)), st.binary(max_size=400)),
    )
)
def test_random_bytes_never_raise(raw: dict[str, tuple[int | None, bytes]]) -> None:
    outputs = {key: CommandOutput(status, data) for key, (status, data) in raw.items()}
    facts = parse_all("h", "10.0.0.1", AT, outputs)
    assert facts.host == "h"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(sorted(p.name for p in DATA.glob("*.txt"))), max_size=5), st.data())
def test_real_outputs_under_the_wrong_key_never_raise(
    names: list[str], data: st.DataObject
) -> None:
    outputs = {
        data.draw(st.sampled_from(sorted(COMMAND_KEYS))): CommandOutput(0, (DATA / n).read_bytes())
        for n in names
    }
    parse_all("h", "10.0.0.1", AT, outputs)

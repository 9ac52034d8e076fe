"""Hostile values for every CLI argument and option, and hostile input files (issue 9 §5).

The commands are walked from the Typer app itself, so a new command or option is covered the
day it is added. Each value goes through the real entry point (tests/cli/runner.py) against a
store holding the example inventory; a few cases run as real processes, where only a process
shows the problem (undecodable argv bytes reaching a UTF-8 stdout).

For every run: the exit code is one of the documented ones (0 ok, 1 runtime, 2 usage, 3
findings), nothing prints a traceback, and no file is written outside the folders the command
may write (the store's, the state and config folders, and an output folder or file the command
was given); a failed command leaves no new file behind outside the store and state folders.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from govcloud.cli.main import app
from govcloud.cli.render import Column, RenderOptions, render
from tests.cli.conftest import EXAMPLE
from tests.cli.runner import Result, govcloud

GOVCLOUD = Path(sys.executable).parent / "govcloud"
EXIT_CODES = {0, 1, 2, 3}

# Commands that start long-running servers; their hostile-input cases live with their owners'
# suites (a sweep here would leave listeners behind).
LONG_RUNNING = {("sandbox", "serve"), ("demo",)}

# An absolute path is aimed at the test's own folder (`_run` puts it in for BOX): these suites
# run as root in CI, where a real /etc/passwd given as an output file would be replaced.
BOX = "@box@"
HOSTILE_TEXT: dict[str, str] = {
    "traversal": "../../etc/passwd",  # from Box.work, two levels down: lands inside the box
    "absolute": f"{BOX}/etc/passwd",
    "nul": "a\x00b",
    "long": "x" * 100_000,
    "shell": "$(touch pwned); `touch pwned2` | rm -rf ~ && echo ${HOME} > out",
    "sql": "'; DROP TABLE server; -- ' OR '1'='1",
    "ansi": "\x1b[31mred\x1b[0m\x1b]0;owned\x07\x1b[2J",
    "rtl": "\u202egnp.exe",
    "markup": "[bold red]x[/][link=file:///etc/passwd]y[/link]",
    "gbk": "\udcc4\udce3\udcba\udcc3",  # b"\xc4\xe3\xba\xc3" (你好 in GBK) as argv decodes it
    "empty": "",
    "dash": "-",
    "huge_int": "99999999999999999999999",
    "negative": "-1",
    "nan": "nan",
    "format": "%s%n{0}{__class__}",
    "glob": "*",
}
# int and float options: Click parses them; these are the values that used to slip through.
HOSTILE_NUMBERS = ("99999999999999999999999", "-99999999999999999999999", "nan", "inf", "-1", "0")


def _billion_laughs() -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


HOSTILE_FILES: dict[str, bytes] = {
    "billion_laughs.yaml": _billion_laughs().encode(),
    "python_tag.yaml": b"pools: !!python/object/apply:os.system ['touch pwned']\n",
    "deep.yaml": b"[" * 5000 + b"]" * 5000 + b"\n",
    "binary.yaml": bytes(range(256)) * 4,
    "gbk.yaml": "部门: 卫健委\n".encode("gbk"),
    "recursive.yaml": b"a: &a [*a]\n",
    "not_a_mapping.yaml": b"- 1\n- 2\n",
    "bom_crlf.yaml": b"\xef\xbb\xbfpools:\r\n  - code: \x1b[2J\r\n",
}
HUGE_BYTES = 17 * 1024 * 1024  # over every file bound govcloud has


@dataclass(frozen=True)
class Param:
    name: str  # "--opt" or the argument's metavar
    kind: str  # text | number | flag | list
    is_argument: bool
    required: bool
    is_path: bool


def _walk(cmd: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    if hasattr(cmd, "commands"):
        for name, sub in sorted(cmd.commands.items()):
            yield from _walk(sub, (*path, name))
    else:
        yield path, cmd


def _params(cmd: Any) -> list[Param]:
    out = []
    for p in cmd.params:
        if p.name == "help":
            continue
        bare = p.bare_type()
        argument = p.param_type_name == "argument"
        if getattr(p, "is_flag", False):
            kind = "flag"
        elif bare in (int, float):
            kind = "number"
        elif str(bare).startswith("list"):
            kind = "list"
        else:
            kind = "text"
        name = p.name.upper() if argument else max(p.opts, key=len)
        words = ("file", "dir", "path", "inventory", "targets", "from", "yaml", "playbook", "plan")
        is_path = bare is Path or any(w in p.name for w in words)
        out.append(Param(name, kind, argument, bool(p.required), is_path))
    return out


COMMANDS = [
    (path, _params(cmd))
    for path, cmd in _walk(typer.main.get_command(app), ())
    if path not in LONG_RUNNING
]


def test_the_sweep_covers_the_whole_app() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"vm list", "inventory load", "metrics import", "report department", "log export"} <= (
        names
    )
    assert sum(len(params) for _, params in COMMANDS) > 150


# ---------------------------------------------------------------------------- the sandbox


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the example inventory, built once and copied for every test."""
    folder = tmp_path_factory.mktemp("template")
    db = folder / "govcloud.db"
    result = govcloud("--db", str(db), "inventory", "load", EXAMPLE)
    assert result.exit_code == 0, result.stderr
    return db


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each hostile file, and a folder holding it (for folder arguments)."""
    folder = tmp_path_factory.mktemp("hostile")
    out: dict[str, Path] = {}
    for name, data in HOSTILE_FILES.items():
        (folder / name).write_bytes(data)
        holder = folder / f"dir-{name}"
        holder.mkdir()
        shutil.copy(Path(EXAMPLE) / "pools.yaml", holder)
        (holder / "departments.yaml").write_bytes(data)
        out[name] = folder / name
        out[f"dir-{name}"] = holder
    huge = folder / "huge.yaml"
    with huge.open("wb") as f:
        f.write(b"pools:\n")
        f.truncate(HUGE_BYTES)
    out["huge.yaml"] = huge
    return out


@dataclass
class Box:
    root: Path
    work: Path  # the current folder, two levels down, so ../../x stays inside ROOT
    db: Path
    writable: tuple[Path, ...]  # where any command may write (store, state, config)


@pytest.fixture
def box(tmp_path: Path, template: Path, monkeypatch: pytest.MonkeyPatch) -> Box:
    root = tmp_path / "root"
    work = root / "a" / "b"
    work.mkdir(parents=True)
    store = root / "store"
    store.mkdir()
    db = store / "govcloud.db"
    shutil.copy(template, db)
    clouds = root / "clouds" / "clouds.yaml"
    clouds.parent.mkdir()
    clouds.write_text(  # a cloud nobody answers for: sync fails fast and offline
        "clouds:\n  zw-prod:\n    auth:\n      auth_url: http://127.0.0.1:9/v3\n"
        "      username: u\n      password: p\n      project_name: p\n"
    )
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state")):
        monkeypatch.setenv(var, str(root / sub))
    monkeypatch.setenv("XDG_DATA_HOME", str(root / "data"))
    monkeypatch.setenv("GOVCLOUD_DB", str(db))
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(clouds))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    for var in ("GOVCLOUD_CONFIG", "GOVCLOUD_OUTPUT", "GOVCLOUD_LANG", "LC_ALL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(work)
    return Box(root, work, db, (store, root / "state", root / "config", root / "data"))


def _tree(root: Path) -> dict[Path, tuple[int, int]]:
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath, name)
            st = p.lstat()
            out[p] = (st.st_size, st.st_mtime_ns)
    return out


def _inside(path: Path, folders: tuple[Path, ...]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def _check(box: Box, args: list[str], result: Result, before: dict[Path, tuple[int, int]]) -> None:
    shown = " ".join(a[:60] for a in args)
    assert result.exit_code in EXIT_CODES, f"{shown}: exit {result.exit_code}\n{result.stderr}"
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream, f"{shown}:\n{stream[-3000:]}"
    after = _tree(box.root)
    changed = [p for p, meta in after.items() if before.get(p) != meta]
    allowed = box.writable
    if result.exit_code in (0, 3):  # an output the command was given may be written
        allowed = (*allowed, *_outputs(box, args))
    stray = [p for p in changed if not _inside(p, allowed)]
    assert not stray, f"{shown}: wrote {stray[:5]}"
    assert not [p for p in changed if p.name.endswith((".tmp", ".part"))], shown


def _outputs(box: Box, args: list[str]) -> list[Path]:
    out = [box.work / "reports"] if args[:1] == ["report"] else []  # the default folder
    for i, arg in enumerate(args):
        if arg.startswith("--db="):  # a store may be created where --db points (and its -wal)
            value = arg.split("=", 1)[1]
            out += [box.work / (value + end) for end in ("", "-wal", "-shm", "-journal")]
        for flag in ("--output-dir", "--output-file", "--workloads-dir"):
            if arg.startswith(flag + "="):
                value = arg.split("=", 1)[1]
                out.append((box.work / value).resolve() if value else box.work)
            elif arg == flag and i + 1 < len(args):
                out.append((box.work / args[i + 1]).resolve())
    return out


def _run(box: Box, args: list[str]) -> Result:
    args = [a.replace(BOX, str(box.root)) for a in args]
    assert not [a for a in args if a.startswith("/etc") or "=/etc" in a], args  # never the host's
    before = _tree(box.root)
    try:
        result = govcloud(*args)
    except BaseException as exc:  # the entry point let it through: the user saw a traceback
        shown = " ".join(a[:60] for a in args)
        raise AssertionError(f"{shown}: {type(exc).__name__}: {str(exc)[:300]}") from exc
    _check(box, args, result, before)
    return result


# ---------------------------------------------------------------------------- the sweep


# Commands that do seconds of work when a value is accepted (a whole report): fewer values.
SLOW = ("report",)
SLOW_VALUES = ("traversal", "absolute", "nul", "long", "shell", "rtl", "gbk", "empty")


def _values(path: tuple[str, ...], param: Param, files: dict[str, Path]) -> list[str]:
    if param.kind == "number":
        return [*HOSTILE_NUMBERS, HOSTILE_TEXT["nul"], HOSTILE_TEXT["sql"]]
    if path[0] in SLOW:
        return [HOSTILE_TEXT[k] for k in SLOW_VALUES]
    values = list(HOSTILE_TEXT.values())
    if param.is_path:
        values += [str(p) for p in files.values()]
    return values


def _required(params: list[Param], skip: Param) -> list[str]:
    """Benign values for the other required parameters, so the hostile one is reached."""
    out = []
    for p in params:
        if p is skip or not p.required:
            continue
        value = "1" if p.kind == "number" else "nothing-here"
        out += [value] if p.is_argument else [f"{p.name}={value}"]
    return out


@pytest.mark.parametrize(("path", "params"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_hostile_values_for_every_parameter(
    box: Box, hostile_files: dict[str, Path], path: tuple[str, ...], params: list[Param]
) -> None:
    ran = 0
    for param in params:
        if param.kind == "flag":
            continue
        for value in _values(path, param, hostile_files):
            others = _required(params, param)
            if param.is_argument:
                args = [*path, *others, "--", value]
            else:
                args = [*path, *others, f"{param.name}={value}"]
            _run(box, args)
            ran += 1
    if any(p.kind != "flag" for p in params):
        assert ran


@pytest.mark.parametrize("option", ["--db", "--config", "--output", "--lang"])
def test_hostile_global_options(box: Box, hostile_files: dict[str, Path], option: str) -> None:
    values = list(HOSTILE_TEXT.values()) + [str(p) for p in hostile_files.values()]
    for value in values:
        for command in (["pool", "list"], ["inventory", "load", EXAMPLE]):
            _run(box, [f"{option}={value}", *command])


def test_hostile_config_file_contents(box: Box, hostile_files: dict[str, Path]) -> None:
    contents = [
        "db: 42\n",
        "db: [a, b]\n",
        "lang: {zh: 1}\n",
        "output: null\nroles: 3\n",
        "operator: 1.5\n",
        "audit_retention_days: 1.5\n",
        "? [a]\n: b\n",
        "db: !!binary aGVsbG8=\n",
    ]
    config = box.root / "config.yaml"
    for text in contents:
        config.write_text(text)
        result = _run(box, ["--config", str(config), "pool", "list"])
        assert result.exit_code == 2, (text, result.stderr)
        assert str(config) in result.stderr
    for path in hostile_files.values():
        if path.is_file():
            result = _run(box, ["--config", str(path), "pool", "list"])
            assert result.exit_code == 2, (path, result.stderr)


def test_hostile_inventory_folders_name_the_file(box: Box, hostile_files: dict[str, Path]) -> None:
    for name, path in hostile_files.items():
        if not path.is_dir():
            continue
        result = _run(box, ["inventory", "validate", str(path)])
        assert result.exit_code == 2, (name, result.stdout)
        assert "departments.yaml" in result.stderr, (name, result.stderr)
        assert result.stderr.count("\n") <= 2, result.stderr


def test_a_huge_inventory_file_is_refused_with_its_name(box: Box, tmp_path: Path) -> None:
    folder = tmp_path / "inv"
    shutil.copytree(EXAMPLE, folder)
    with (folder / "systems.yaml").open("ab") as f:
        f.truncate(HUGE_BYTES)
    result = _run(box, ["inventory", "validate", str(folder)])
    assert result.exit_code == 2
    assert "systems.yaml" in result.stderr
    assert "larger than" in result.stderr


def test_reports_stay_in_their_folder_whatever_the_tenant(box: Box) -> None:
    out = box.root / "reports"
    for kind in ("department", "capacity", "audit"):
        for value in ("../../../escaped", f"{BOX}/escaped", HOSTILE_TEXT["nul"], "a/../../b"):
            _run(box, ["report", kind, "--output-dir", str(out), f"--tenant={value}"])
    assert not (box.root / "escaped").exists()


# ---------------------------------------------------------------------------- real processes


def _process(box: Box, argv: list[bytes]) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "LANG": "C.UTF-8"}
    env.pop("PYTHONIOENCODING", None)
    return subprocess.run(
        [os.fsencode(GOVCLOUD), *argv],
        cwd=box.work,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "argv",
    [
        [b"vm", b"list", b"--tenant", "你好".encode("gbk")],
        [b"tenant", b"show", "你好".encode("gbk")],
        [b"-o", b"csv", b"vm", b"list", b"--sort", "你好".encode("gbk")],
        [b"inventory", b"validate", "目录".encode("gbk")],
        [b"--db", "库.db".encode("gbk"), b"pool", b"list"],
        [b"metrics", b"import", "你好".encode("gbk")],
    ],
)
def test_gbk_bytes_in_argv_of_a_real_process(box: Box, argv: list[bytes]) -> None:
    before = _tree(box.root)
    proc = _process(box, argv)
    assert proc.returncode in EXIT_CODES, proc.stderr
    assert b"Traceback" not in proc.stdout + proc.stderr
    assert b"UnicodeEncodeError" not in proc.stderr
    assert [p for p in _tree(box.root) if p not in before and not _inside(p, box.writable)] == []


def test_a_gbk_named_inventory_folder_is_a_clear_usage_error(box: Box) -> None:
    folder = os.fsencode(box.work) + b"/" + "清单".encode("gbk")
    os.mkdir(folder)
    for p in Path(EXAMPLE).iterdir():
        shutil.copy(p, os.fsdecode(folder))
    before = _tree(box.root)
    for command in ([b"inventory", b"validate"], [b"inventory", b"load"]):
        proc = _process(box, [*command, folder])
        assert proc.returncode == 2, proc.stderr
        assert b"not valid UTF-8" in proc.stderr
        assert b"Traceback" not in proc.stderr
    assert _tree(box.root) == before


# ---------------------------------------------------------------------------- outputs


def _hostile_inventory(folder: Path) -> list[str]:
    """The example, with department names an attacker (a tenant) chose."""
    shutil.copytree(EXAMPLE, folder)
    path = folder / "departments.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    names = [
        "cr\rinside",
        "lf\ninside",
        "crlf\r\ninside",
        'quote"and,comma',
        "\x1b[31mred\x1b[0m\x1b]0;owned\x07",
        "[bold red]markup[/]",
        "\u202egnp.exe",
        "nul-ish \x7f\x85",
    ]
    for dept, name in zip(data["departments"], names, strict=False):
        dept["name_en"] = name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return names


def test_csv_with_bare_carriage_returns_reads_back_row_for_row(box: Box, tmp_path: Path) -> None:
    names = _hostile_inventory(tmp_path / "inv")
    assert _run(box, ["inventory", "load", str(tmp_path / "inv")]).exit_code == 0
    result = _run(box, ["-o", "csv", "tenant", "list", "-c", "code", "-c", "name_en"])
    as_json = _run(box, ["-o", "json", "tenant", "list", "-c", "code", "-c", "name_en"]).json()
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert len(rows) == len(as_json) + 1  # exactly N rows and the header
    assert {r[1] for r in rows[1:]} >= set(names)


def test_csv_nests_json_not_python_reprs() -> None:
    out = io.StringIO()
    columns = [Column("name", "名称", "Name"), Column("extra", "附加", "Extra")]
    records = [{"name": "a", "extra": {"k": [1, "二", None]}}, {"name": "b", "extra": ("x",)}]
    render(records, columns, RenderOptions(output="csv"), out)
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert rows[1] == ["a", '{"k": [1, "二", null]}']
    assert rows[2] == ["b", '["x"]']


def test_json_is_valid_and_stderr_is_quiet(box: Box) -> None:
    import json

    for command in (
        ["vm", "list", "--limit", "0"],
        ["volume", "list", "--limit", "0"],
        ["fip", "list", "--limit", "0"],
        ["tenant", "list"],
        ["pool", "list"],
        ["rightsize"],
    ):
        result = _run(box, ["-o", "json", *command])
        assert result.exit_code == 0, result.stderr
        assert result.stderr == "", command
        json.loads(result.stdout)
    assert _run(box, ["-o", "json", "vm", "list", "--limit", "0"]).stdout.strip() == "[]"


@pytest.mark.parametrize("limit", ["99999999999999999999999", "-1", "1000000001"])
def test_an_out_of_range_limit_is_refused_not_clamped(box: Box, limit: str) -> None:
    for command in (["vm", "list"], ["volume", "list"], ["fip", "list"]):
        result = _run(box, [*command, "--limit", limit])
        assert result.exit_code == 2
        assert "--limit" in result.stderr


def test_tables_show_hostile_names_literally_and_harmlessly(box: Box, tmp_path: Path) -> None:
    _hostile_inventory(tmp_path / "inv")
    assert _run(box, ["inventory", "load", str(tmp_path / "inv")]).exit_code == 0
    table = _run(box, ["tenant", "list", "--long"]).stdout
    for raw in ("\x1b", "\x07", "\r", "\u202e", "\x7f", "\x85"):
        assert raw not in table
    for shown in ("\\x1b[31mred", "\\u202egnp.exe", "[bold red]markup[/]", "cr\\x0dinside"):
        assert shown in table


# ---------------------------------------------------------------------------- a big valid file

VALIDATE_10MB_BOUND_S = 60.0  # was 107 s (two pure-Python parses); measured ~10-20 s
VALIDATE_10MB_BOUND_RSS_MB = 1200  # was 1.5 GB; measured ~0.7 GB


def _big_inventory(folder: Path, copies: int) -> int:
    """The example repeated under new codes until it is about 10 MB; returns its size."""
    shutil.copytree(EXAMPLE, folder)

    def load(name: str) -> Any:
        return yaml.safe_load((folder / name).read_text(encoding="utf-8"))

    depts, systems, hosts = load("departments.yaml"), load("systems.yaml"), load("hosts.yaml")
    big_d, big_s, big_h = [], [], []
    for i in range(copies):
        for d in depts["departments"]:
            projects = [{**p, "project": f"{p['project']}-{i}"} for p in d["projects"]]
            big_d.append(
                {**d, "code": f"{d['code']}x{i}", "name_zh": f"{d['name_zh']}{i}",
                 "short_zh": f"{d['short_zh']}{i}", "projects": projects}
            )  # fmt: skip
        for s in systems["systems"]:
            big_s.append({**s, "code": f"{s['code']}x{i}", "department": f"{s['department']}x{i}"})
        for h in hosts["legacy_hosts"]:
            big_h.append({**h, "name": f"{h['name']}-x{i}", "system": f"{h['system']}x{i}"})
    for name, data in (
        ("departments.yaml", {"departments": big_d}),
        ("systems.yaml", {"systems": big_s}),
        ("hosts.yaml", {"jump_hosts": hosts["jump_hosts"], "legacy_hosts": big_h}),
    ):
        (folder / name).write_text(
            yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True), encoding="utf-8"
        )
    return sum(p.stat().st_size for p in folder.iterdir())


def test_a_10_mb_inventory_validates_within_its_bounds(box: Box, tmp_path: Path) -> None:
    import resource
    import time

    size = _big_inventory(tmp_path / "big", copies=90)
    assert size > 10 * 1024 * 1024
    started = time.monotonic()
    proc = _process(box, [b"inventory", b"validate", os.fsencode(tmp_path / "big")])
    took = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"validate {size / 2**20:.1f} MiB: {took:.1f} s, peak RSS {peak_mb:.0f} MB")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert took < VALIDATE_10MB_BOUND_S
    assert peak_mb < VALIDATE_10MB_BOUND_RSS_MB

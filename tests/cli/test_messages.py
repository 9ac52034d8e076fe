"""Every sentence a person reads has a Chinese translation in govcloud/cli/messages.py.

The test walks the source with `ast` the way a reviewer would grep it: the message and hint
of every GovcloudError (and typer.BadParameter) built anywhere, every note or warning the CLI
prints to stderr, the notes services attach to results and the audit trail's break details.
A template with no catalogue entry fails the test, so a new message arrives translated.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from govcloud.cli import messages
from tests.cli.runner import govcloud

PACKAGE = Path(__file__).resolve().parents[2] / "govcloud"
SAMPLE = "‹v›"  # what a placeholder ({pool}, {exc}) stands for when a template is matched
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_STDERR_CALLS = {"note", "echo", "print", "write"}


def _sources() -> dict[Path, ast.Module]:
    # the sandbox is a stand-in OpenStack for tests; its replies are the cloud's words, not ours
    paths = [p for p in PACKAGE.rglob("*.py") if "sandbox" not in p.relative_to(PACKAGE).parts]
    return {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(paths)}


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {b.id if isinstance(b, ast.Name) else ast.unparse(b) for b in node.bases}
                bases.setdefault(node.name, set()).update(n.rsplit(".", 1)[-1] for n in names)
    found = {"GovcloudError"}
    while grown := {c for c, b in bases.items() if c not in found and b & found}:
        found |= grown
    return found


def _constants(trees: dict[Path, ast.Module]) -> dict[str, str]:
    """Module-level string constants (HINT = "..."), so a raise that names one is read too."""
    out: dict[str, str] = {}
    for node in (n for tree in trees.values() for n in tree.body):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
            if isinstance(target, ast.Name) and isinstance(getattr(value, "value", None), str):
                out[target.id] = str(getattr(value, "value", ""))
    return out


def _templates(node: ast.expr, consts: dict[str, str]) -> list[str]:
    """The text an expression can produce, with `{…}` where a value goes."""
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else []
    if isinstance(node, ast.JoinedStr):
        parts = [
            v.value if isinstance(v, ast.Constant) else "{" + ast.unparse(v.value) + "}"
            for v in node.values
        ]
        return ["".join(str(p) for p in parts)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        lefts = _templates(node.left, consts) or ["{…}"]
        rights = _templates(node.right, consts) or ["{…}"]
        return [a + b for a in lefts for b in rights]
    if isinstance(node, ast.IfExp):
        return _templates(node.body, consts) + _templates(node.orelse, consts)
    if isinstance(node, ast.BoolOp):  # `", ".join(known) or "(none)"`
        return [t for v in node.values for t in _templates(v, consts)]
    if isinstance(node, ast.Name) and node.id in consts:
        return [consts[node.id]]
    if isinstance(node, ast.Tuple):  # `return Severity.HIGH, f"Σ quotas ..."`
        return [t for v in node.elts for t in _templates(v, consts)]
    return []


def _callee(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _to_stderr(call: ast.Call, name: str) -> bool:
    if name == "note":
        return True
    if name == "write":
        return "stderr" in ast.unparse(call.func)
    return any(
        k.arg in ("file", "err") and "stdout" not in ast.unparse(k.value) for k in call.keywords
    )


def _texts(call: ast.Call, errors: set[str]) -> Iterator[ast.expr]:
    name = _callee(call)
    if (name in errors or name in ("BadParameter", "error")) and call.args:
        yield call.args[0]
    if name in _STDERR_CALLS and call.args and _to_stderr(call, name):
        yield call.args[0]
    if name == "tr" and call.args:  # `st.tr(text)`: a prompt or a part of a stderr line
        yield call.args[0]
    if name == "Break" and len(call.args) == 3:  # the audit trail's detail sentence
        yield call.args[2]
    if name == "append" and call.args and "notes" in ast.unparse(call.func):
        yield call.args[0]
    for kw in call.keywords:
        if kw.arg in ("hint", "finding"):  # a finding is a sentence `quota check` shows
            yield kw.value


def _finding_texts(tree: ast.Module) -> Iterator[ast.expr]:
    """`severity, finding = (Severity.INFO, "storage capacity unknown: " + ...)`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            names = {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            if names & {"finding", "extra"}:
                yield node.value
        if isinstance(node, ast.Call) and node.args and ast.unparse(node.func) == "found.append":
            yield node.args[0]  # quota check's findings of a row


_HELPER = re.compile(r"hint|closest|message|^_reason$|^_judge")  # functions that build a sentence


def _helper_texts(tree: ast.Module) -> Iterator[ast.expr]:
    """What sentence-building helpers (closest_hint, a wave's reason) return or append."""
    for fn in ast.walk(tree):
        bilingual = isinstance(fn, ast.FunctionDef) and _HAN.search(ast.unparse(fn))
        if isinstance(fn, ast.FunctionDef) and _HELPER.search(fn.name) and not bilingual:
            for node in ast.walk(fn):
                if isinstance(node, ast.Return) and node.value is not None:
                    yield node.value
                if isinstance(node, ast.Call) and node.args and _callee(node) == "append":
                    yield node.args[0]
                if isinstance(node, ast.List):
                    yield from node.elts


def source_templates() -> dict[str, str]:
    """Every message template in the package -> where it is (file:line)."""
    trees = _sources()
    errors = _error_classes(trees)
    consts = _constants(trees)
    found: dict[str, str] = {}
    for path, tree in trees.items():
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        exprs = [e for c in calls for e in _texts(c, errors)] + list(_helper_texts(tree))
        exprs += list(_finding_texts(tree))
        for expr in exprs:
            for text in _templates(expr, consts):
                found.setdefault(text, f"{path.relative_to(PACKAGE.parent)}:{expr.lineno}")
    for name, text in consts.items():  # EMPTY_STORE_HINT, handed to helpers as a default
        if name.endswith(("_HINT", "_MESSAGE")):
            found.setdefault(text, name)
    return found


def _words(template: str) -> bool:
    """Whether a template has words of its own (not only values and punctuation)."""
    return bool(re.search(r"[A-Za-z]{2}", _PLACEHOLDER.sub("", template)))


def _sample(template: str) -> str:
    return _PLACEHOLDER.sub(SAMPLE, template)


TEMPLATES = source_templates()


def test_the_walk_finds_the_messages() -> None:
    # guards the walk itself: if it found nothing, every other test here would pass vacuously
    assert len(TEMPLATES) > 300
    assert "no store at {path}" in TEMPLATES
    assert "run `govcloud init` (or `govcloud inventory load DIR`)" in TEMPLATES


def test_every_template_has_a_chinese_entry() -> None:
    missing = [
        f"{where}: {text!r}"
        for text, where in TEMPLATES.items()
        if _words(text) and messages.to_chinese(_sample(text)) is None
    ]
    assert not missing, "no entry in govcloud/cli/messages.py for:\n" + "\n".join(missing)


def test_every_entry_matches_a_real_template() -> None:
    samples = [_sample(t) for t in TEMPLATES]
    samples += [s[len(p) :] for s in samples for p in messages.PREFIXES if s.startswith(p)]
    dead = [e.en for e in messages.ENTRIES if not any(e.pattern.fullmatch(s) for s in samples)]
    assert not dead, "entries no template uses:\n" + "\n".join(dead)


def test_values_are_in_the_source() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    quoted = [re.escape(_PLACEHOLDER.split(en)[0]) for en, _ in messages.VALUES]
    missing = [q for q in quoted if not re.search(f"[\"']{q}", source)]
    assert not missing


def test_entries_have_both_languages_and_the_same_values() -> None:
    for entry in messages.ENTRIES:
        assert entry.en.strip(), entry
        assert entry.zh.strip(), entry
        # Han characters or full-width punctuation: `rightsize {where}：{msg}` is all values
        assert re.search(r"[\u4e00-\u9fff\uff00-\uffef]", entry.zh), f"not Chinese: {entry.zh!r}"
        names = set(re.findall(r"\{(\w+)\}", entry.en))
        assert set(re.findall(r"\{(\w+)\}", entry.zh)) == names, entry


def test_values_are_carried_over_unchanged() -> None:
    assert messages.translate("no store at /tmp/x y.db", "zh") == "没有存储：/tmp/x y.db"
    assert messages.translate("no store at /tmp/x.db", "en") == "no store at /tmp/x.db"
    text = "unknown pool 'gz-a'"
    assert messages.translate(text, "zh") == "未知资源池 'gz-a'"


def test_untranslated_text_passes_through() -> None:
    assert messages.translate("something only a cloud says", "zh") == "something only a cloud says"


# -- the first-day paths, for real -----------------------------------------------------------


def _han(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def test_store_errors_read_chinese(tmp_path: Path) -> None:
    r = govcloud("--lang", "zh", "--db", str(tmp_path / "none.db"), "pool", "list")
    assert r.exit_code == 1
    assert r.stderr.startswith("错误：没有存储："), r.stderr
    assert str(tmp_path / "none.db") in r.stderr
    assert "\n提示：" in r.stderr


def test_json_errors_stay_english(tmp_path: Path) -> None:
    r = govcloud("--lang", "zh", "-o", "json", "--db", str(tmp_path / "none.db"), "pool", "list")
    assert r.exit_code == 1
    assert r.json()["error"]["message"].startswith("no store at ")
    assert r.stderr == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["pool", "list", "--nope"], "没有这个选项"),
        (["quota", "check", "--fail-on"], "需要一个参数"),
        # before the root has run: --lang is read from the arguments themselves
        (["vmm", "list"], "没有这个命令 'vmm'。你是不是想输入 'vm'？"),
        (["vm", "lsit"], "没有这个命令 'lsit'。你是不是想输入 'list'？"),
    ],
)
def test_click_usage_errors_read_chinese(args: list[str], expected: str) -> None:
    r = govcloud("--lang", "zh", *args)
    assert r.exit_code == 2
    assert expected in r.stderr, r.stderr
    assert "Error:" not in r.stderr


def test_click_usage_errors_stay_english_under_en() -> None:
    r = govcloud("--lang", "en", "pool", "list", "--nope")
    assert r.exit_code == 2
    assert "No such option" in r.stderr
    assert not _han(r.stderr)


BROKEN_YAML = [
    "a: b: c",  # a colon inside a value
    "a:\n  - x\n  y: 1",  # a key among list items
    "a: [1, 2",
    "a: {x: 1",
    "a: *nope",
    "a: 'x",
    "\tb: 1",
    "a: @x",
    'a: "\\q"',
    "{a: 1}: x",
    "a: 1\n---\nb: 2",
    "a: &x 1\nb: &x 2\n",
    "%YAML 1.1\n%YAML 1.1\n---\na: 1",
    "a: !!python/object:os.system x",
]


@pytest.mark.parametrize("text", BROKEN_YAML)
def test_what_yaml_finds_wrong_reads_chinese(text: str) -> None:
    """The parser's own words (libyaml's here, PyYAML's without it) are part of the message."""
    from govcloud.adapters.yaml_source import parse_yaml_text
    from govcloud.core.errors import ValidationError

    with pytest.raises(ValidationError) as caught:
        parse_yaml_text(text, "pools.yaml")
    message = caught.value.message
    zh = messages.translate(message, "zh")
    assert zh.startswith("pools.yaml:"), zh
    problem = zh.split("YAML 格式错误：", 1)[1]
    # what is left in Latin letters is quoted from the file or a tag, never an English sentence
    assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", problem), (message, zh)


def test_yaml_problem_entries_have_both_languages() -> None:
    for en, zh in messages.YAML_PROBLEMS:
        assert re.search(r"[\u4e00-\u9fff]", zh), en
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", zh)), en

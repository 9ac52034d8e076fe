from __future__ import annotations

from govcloud.core.audit_diff import DiffStatus, diff_findings, diff_rows, summary_counts
from govcloud.core.findings import SubjectType
from govcloud.core.severity import Severity
from tests.core.findings_fakes import finding


def test_new_resolved_persisting_by_key() -> None:
    before = [finding("idle", "a"), finding("idle", "b"), finding("zombie", "a")]
    after = [finding("idle", "b"), finding("zombie", "a"), finding("idle", "c")]
    d = diff_findings(before, after)
    assert [f.subject_id for f in d.new] == ["c"]
    assert [f.subject_id for f in d.resolved] == ["a"]
    assert d.resolved[0].check == "idle"
    assert sorted(f.key for f in d.persisting) == [("idle", "vm", "b"), ("zombie", "vm", "a")]
    assert d.counts() == {"new": 1, "resolved": 1, "persisting": 2, "severity_changed": 0}


def test_same_id_under_another_subject_type_is_another_finding() -> None:
    d = diff_findings(
        [finding("x", "p1", subject_type=SubjectType.POOL)],
        [finding("x", "p1", subject_type=SubjectType.DEPARTMENT)],
    )
    assert len(d.new) == 1
    assert len(d.resolved) == 1
    assert not d.persisting


def test_severity_changes_are_noted_on_persisting_findings() -> None:
    d = diff_findings(
        [finding("idle", "a", Severity.LOW), finding("idle", "b", Severity.HIGH)],
        [finding("idle", "a", Severity.HIGH), finding("idle", "b", Severity.HIGH)],
    )
    assert d.severity_before == {("idle", "vm", "a"): Severity.LOW}
    assert [f.subject_id for f in d.changed] == ["a"]
    rows = {r.subject_id: r for r in diff_rows(d)}
    assert rows["a"].previous_severity is Severity.LOW
    assert rows["a"].severity is Severity.HIGH
    assert rows["b"].previous_severity is None


def test_rows_order_new_then_persisting_then_resolved_worst_first() -> None:
    d = diff_findings(
        [finding("idle", "gone"), finding("idle", "kept")],
        [
            finding("idle", "kept"),
            finding("a", "n1", Severity.LOW),
            finding("b", "n2", Severity.HIGH),
        ],
    )
    rows = diff_rows(d)
    assert [(r.status, r.subject_id) for r in rows] == [
        (DiffStatus.NEW, "n2"),
        (DiffStatus.NEW, "n1"),
        (DiffStatus.PERSISTING, "kept"),
        (DiffStatus.RESOLVED, "gone"),
    ]
    assert rows[0].message_zh.endswith("（中文）")
    assert DiffStatus.NEW.zh == "新增"


def test_empty_runs() -> None:
    d = diff_findings([], [])
    assert diff_rows(d) == []
    assert d.counts()["new"] == 0


def test_a_repeated_key_counts_once() -> None:
    d = diff_findings([], [finding("idle", "a"), finding("idle", "a", Severity.HIGH)])
    assert len(d.new) == 1
    assert d.new[0].severity is Severity.MEDIUM


def test_summary_counts_by_severity_worst_first_and_by_check() -> None:
    s = summary_counts(
        [
            finding("idle", "a", Severity.LOW),
            finding("zombie", "b", Severity.HIGH),
            finding("idle", "c", Severity.LOW),
        ]
    )
    assert list(s["by_severity"].items()) == [("high", 1), ("low", 2)]
    assert s["by_check"] == {"idle": 2, "zombie": 1}

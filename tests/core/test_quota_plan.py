"""Quota plans: diff, seals, hand-edit detection, and apply's guards, on hand-written data."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from govcloud.core import quota_plan as qp
from govcloud.core.audit_trail import Signer
from govcloud.core.errors import ValidationError
from govcloud.core.models import ProjectBinding, QuotaResource

R = QuotaResource
WHEN = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def binding(dept: str = "wjw", pool: str = "zw-prod", **quota: int) -> ProjectBinding:
    approved = {R.CORES: 100, R.RAM: 204800, R.INSTANCES: 20, R.GIGABYTES: 2000, R.VOLUMES: 40}
    approved.update({R(k): v for k, v in quota.items()})
    return ProjectBinding(dept, pool, f"{dept}-{pool}", approved)


def reading(
    dept: str = "wjw", pool: str = "zw-prod", pid: str = "p-wjw", in_use: int = 0, **limits: int
) -> qp.ProjectReading:
    values = {R.CORES: 100, R.RAM: 204800, R.INSTANCES: 20, R.GIGABYTES: 2000, R.VOLUMES: 40}
    values.update({R(k): v for k, v in limits.items()})
    return qp.ProjectReading(
        pool=pool,
        cloud="zwy",
        region="zw-region",
        department=dept,
        project=f"{dept}-{pool}",
        project_id=pid,
        limits=values,
        in_use=dict.fromkeys(values, in_use),
    )


def make_plan(bindings: list[ProjectBinding], readings: list[qp.ProjectReading]) -> qp.QuotaPlan:
    return qp.build_plan(bindings, readings, [], WHEN)


# --- diff -------------------------------------------------------------------------------------


def test_diff_lists_only_resources_whose_limit_differs() -> None:
    changes = qp.diff([binding(cores=120)], [reading(cores=100, volumes=10)])
    got = {(c.resource, c.before, c.after) for c in changes}
    assert got == {(R.CORES, 100, 120), (R.VOLUMES, 10, 40)}


def test_diff_of_matching_values_is_empty() -> None:
    assert qp.diff([binding()], [reading()]) == []


def test_diff_treats_unlimited_cloud_limit_as_a_change() -> None:
    [change] = qp.diff([binding()], [reading(ram=-1)])
    assert (change.resource, change.before, change.after) == (R.RAM, -1, 204800)


def test_diff_skips_resources_the_cloud_has_no_service_for() -> None:
    no_cinder = reading(cores=50).model_copy(
        update={"limits": {R.CORES: 50, R.RAM: 204800, R.INSTANCES: 20}}
    )
    changes = qp.diff([binding()], [no_cinder])
    assert [c.resource for c in changes] == [R.CORES]


def test_diff_ignores_projects_without_a_reading() -> None:
    assert qp.diff([binding("fgw")], [reading("wjw", cores=1)]) == []


def test_diff_rejects_absurd_approved_values() -> None:
    with pytest.raises(ValidationError, match="out of range"):
        qp.diff([binding(cores=20_000_000)], [reading()])


def test_inventory_digest_depends_on_approved_values_only() -> None:
    a = qp.inventory_digest([binding(cores=100), binding("fgw")])
    b = qp.inventory_digest([binding("fgw"), binding(cores=100)])
    c = qp.inventory_digest([binding(cores=101), binding("fgw")])
    assert a == b != c


# --- plan files -------------------------------------------------------------------------------


KEY = Signer("sha256", b"k" * 32)


def test_plan_round_trips_through_json_with_its_seal() -> None:
    plan = qp.sealed(make_plan([binding(cores=120)], [reading()]), KEY)
    text = qp.to_json(plan)
    assert json.loads(text)["seal"].startswith("hmac-sha256:")
    assert json.loads(text)["version"] == 2
    back = qp.parse_plan(text, "plan.json")
    assert back == plan
    qp.verify_seal(back, KEY, "plan.json")


def test_hand_edited_plan_is_rejected_even_when_resealed_without_the_key() -> None:
    plan = qp.sealed(make_plan([binding(cores=120)], [reading()]), KEY)
    data = json.loads(qp.to_json(plan))
    data["changes"][0]["after"] = 500
    edited = qp.parse_plan(json.dumps(data), "plan.json")  # schema and values are fine
    with pytest.raises(ValidationError, match="edited") as err:
        qp.verify_seal(edited, KEY, "plan.json")
    assert err.value.exit_code == 2
    assert "plan.json" in err.value.message
    forged = qp.sealed(edited, Signer("sha256", b"x" * 32))  # an editor's own key
    with pytest.raises(ValidationError, match="seal does not verify"):
        qp.verify_seal(forged, KEY, "plan.json")
    with pytest.raises(ValidationError, match="sealed with sm3"):
        qp.verify_seal(edited.model_copy(update={"seal": "hmac-sm3:00"}), KEY, "plan.json")


def test_a_version_1_plan_is_told_to_be_re_planned() -> None:
    data = json.loads(qp.to_json(make_plan([binding(cores=120)], [reading()])))
    data["version"] = 1
    with pytest.raises(ValidationError, match="version 1 is not accepted") as err:
        qp.parse_plan(json.dumps(data), "plan.json")
    assert "re-run `govcloud quota plan" in str(err.value.hint)


def test_targets_must_be_the_approved_quota_of_the_store() -> None:
    plan = make_plan([binding(cores=120)], [reading()])
    qp.check_targets(plan, [binding(cores=120)], "plan.json")
    with pytest.raises(ValidationError, match=r"zw-prod/wjw/wjw-zw-prod cores: target 120 is not"):
        qp.check_targets(plan, [binding(cores=110)], "plan.json")
    with pytest.raises(ValidationError, match="declares no such project"):
        qp.check_targets(plan, [binding("fgw")], "plan.json")


@pytest.mark.parametrize("bad", [-2, 1.5, "100", 10_000_001, True])
def test_bad_values_in_a_plan_are_rejected(bad: object) -> None:
    data = json.loads(qp.to_json(make_plan([binding(cores=120)], [reading()])))
    data["changes"][0]["after"] = bad
    with pytest.raises(ValidationError, match=r"changes\.0\.after"):
        qp.parse_plan(json.dumps(data), "plan.json")


def test_unknown_keys_and_broken_json_are_rejected() -> None:
    data = json.loads(qp.to_json(make_plan([binding(cores=120)], [reading()])))
    data["force"] = True
    with pytest.raises(ValidationError, match="Extra inputs"):
        qp.parse_plan(json.dumps(data), "plan.json")
    with pytest.raises(ValidationError, match="invalid JSON"):
        qp.parse_plan("{not json", "plan.json")


def test_change_for_a_project_the_plan_did_not_read_is_rejected() -> None:
    plan = make_plan([binding(cores=120)], [reading()])
    forged = plan.model_copy(update={"projects": (reading(pid="other"),)})
    with pytest.raises(ValidationError, match="did not read"):
        qp.parse_plan(qp.to_json(forged), "plan.json")


@pytest.mark.parametrize("value", [-1, 0, 10_000_000])
def test_check_limit_accepts_unlimited_zero_and_the_maximum(value: int) -> None:
    assert qp.check_limit(value, "x") == value


@pytest.mark.parametrize("value", [-2, 10_000_001, 2.0, "5", False])
def test_check_limit_rejects_the_rest(value: object) -> None:
    with pytest.raises(ValidationError):
        qp.check_limit(value, "x")


# --- apply guards -----------------------------------------------------------------------------


def test_reconcile_marks_pending_changes() -> None:
    plan = make_plan([binding(cores=120)], [reading()])
    [step] = qp.reconcile(plan, {("zw-prod", "p-wjw"): reading()})
    assert (step.done, step.current, step.change.after) == (False, 100, 120)
    assert qp.pending_by_call([step]) == {("zw-prod", "p-wjw", "compute"): {"cores": 120}}


def test_reconcile_after_success_has_nothing_to_send() -> None:
    plan = make_plan([binding(cores=120, volumes=50)], [reading()])
    steps = qp.reconcile(plan, {("zw-prod", "p-wjw"): reading(cores=120, volumes=50)})
    assert all(s.done for s in steps)
    assert qp.pending_by_call(steps) == {}


def test_pending_calls_group_by_service_with_absolute_values() -> None:
    plan = make_plan([binding(cores=120, ram=102400, volumes=50)], [reading()])
    steps = qp.reconcile(plan, {("zw-prod", "p-wjw"): reading()})
    assert qp.pending_by_call(steps) == {
        ("zw-prod", "p-wjw", "compute"): {"cores": 120, "ram": 102400},
        ("zw-prod", "p-wjw", "volume"): {"volumes": 50},
    }


def test_changed_since_plan_aborts_naming_project_and_values() -> None:
    plan = make_plan([binding(cores=120)], [reading()])
    with pytest.raises(qp.StalePlanError) as err:
        qp.reconcile(plan, {("zw-prod", "p-wjw"): reading(cores=110)})
    assert "cloud changed since the plan: wjw-zw-prod cores 100 -> 110" in err.value.message
    assert "re-run quota plan" in err.value.message


def test_a_change_to_an_untouched_resource_of_the_project_also_aborts() -> None:
    plan = make_plan([binding(cores=120)], [reading()])
    with pytest.raises(qp.StalePlanError, match="instances 20 -> 30"):
        qp.reconcile(plan, {("zw-prod", "p-wjw"): reading(instances=30)})


def test_drift_in_projects_the_plan_does_not_change_is_ignored() -> None:
    plan = make_plan([binding(cores=120), binding("fgw")], [reading(), reading("fgw", pid="p2")])
    steps = qp.reconcile(plan, {("zw-prod", "p-wjw"): reading()})
    assert [s.change.project_id for s in steps] == ["p-wjw"]


def test_missing_project_at_apply_is_an_error() -> None:
    plan = make_plan([binding(cores=120)], [reading()])
    with pytest.raises(ValidationError, match="no longer in pool"):
        qp.reconcile(plan, {})


def test_below_current_usage_is_refused_before_any_call() -> None:
    plan = make_plan([binding(cores=8)], [reading(in_use=16)])
    with pytest.raises(qp.BelowUsageError, match=r"cores to 8 \(16 in use\)") as err:
        qp.check_values(plan)
    assert err.value.exit_code == 2


def test_below_usage_uses_fresh_usage_at_apply() -> None:
    plan = make_plan([binding(cores=8)], [reading(in_use=4)])
    qp.check_values(plan)
    with pytest.raises(qp.BelowUsageError):
        qp.reconcile(plan, {("zw-prod", "p-wjw"): reading(in_use=12)})


def test_below_usage_rows_are_held_and_never_sent() -> None:
    plan = make_plan([binding(cores=8, instances=30)], [reading(in_use=16)])
    assert [c.wire_name for c in plan.held] == ["cores"]
    steps = qp.reconcile(plan, {("zw-prod", "p-wjw"): reading(in_use=16)}, hold_below_usage=True)
    assert {s.change.wire_name: s.held for s in steps} == {"cores": True, "instances": False}
    assert qp.pending_by_call(steps) == {("zw-prod", "p-wjw", "compute"): {"instances": 30}}


def test_unlimited_is_never_below_usage() -> None:
    assert not qp.below_usage(-1, 10**6)
    assert qp.below_usage(0, 1)
    assert not qp.below_usage(5, 5)


def test_plan_views_flag_below_usage() -> None:
    plan = make_plan([binding(cores=8, instances=30)], [reading(in_use=16)])
    status = {v.resource: v.status for v in qp.plan_views(plan)}
    assert status == {"cores": "held", "instances": "planned"}


# --- issue 8: per-volume-type, Neutron and read-only (unified limits) quotas -------------------


def _typed(pid: str = "p-wjw", **type_limits: int) -> qp.ProjectReading:
    base = reading(pid=pid, floatingip=10)
    return base.model_copy(
        update={
            "type_limits": {"gigabytes_ssd": -1, "volumes_ssd": -1, **type_limits},
            "type_in_use": {"gigabytes_ssd": 300, "volumes_ssd": 3},
        }
    )


def _typed_binding() -> ProjectBinding:
    b = binding(floatingip=4)
    return ProjectBinding(
        b.department_code, b.pool_code, b.project_name, b.approved_quota,
        approved_type_quota={"gigabytes_ssd": 1024, "gigabytes_gone": 10},
    )  # fmt: skip


def test_per_type_and_neutron_quotas_are_planned_under_their_wire_names() -> None:
    plan = make_plan([_typed_binding()], [_typed()])
    got = {
        (c.wire_name, c.resource, c.volume_type, c.before, c.after, c.in_use) for c in plan.changes
    }
    # gigabytes_gone: the cloud has no such volume type, nothing to write
    assert got == {
        ("gigabytes_ssd", R.GIGABYTES, "ssd", -1, 1024, 300),
        ("floatingip", R.FLOATINGIP, None, 10, 4, 0),
    }
    assert plan.notes == (
        "pool zw-prod: wjw-zw-prod: the cloud has no volume type 'gone' (gigabytes_gone)",
    )
    calls = qp.pending_by_call(qp.reconcile(plan, {("zw-prod", "p-wjw"): _typed()}))
    assert calls == {
        ("zw-prod", "p-wjw", "volume"): {"gigabytes_ssd": 1024},
        ("zw-prod", "p-wjw", "network"): {"floatingip": 4},
    }
    assert {v.resource for v in qp.plan_views(plan)} == {"gigabytes_ssd", "floatingip"}
    assert qp.parse_plan(qp.to_json(plan), "plan.json") == plan


def test_a_per_type_limit_changed_by_someone_else_makes_the_plan_stale() -> None:
    plan = make_plan([_typed_binding()], [_typed()])
    with pytest.raises(qp.StalePlanError, match="gigabytes_ssd -1 -> 500"):
        qp.reconcile(plan, {("zw-prod", "p-wjw"): _typed(gigabytes_ssd=500)})
    done = qp.reconcile(plan, {("zw-prod", "p-wjw"): _typed(gigabytes_ssd=1024)})
    assert [s.done for s in done if s.change.volume_type] == [True]


def test_per_type_limit_below_usage_is_refused() -> None:
    b = _typed_binding()
    low = ProjectBinding(b.department_code, b.pool_code, b.project_name, b.approved_quota,
                         approved_type_quota={"gigabytes_ssd": 100})  # fmt: skip
    plan = make_plan([low], [_typed()])
    with pytest.raises(qp.BelowUsageError, match="gigabytes_ssd to 100"):
        qp.check_values(plan)


def test_services_under_unified_limits_are_never_planned() -> None:
    plan = qp.build_plan(
        [binding(cores=120, floatingip=4)],
        [reading(floatingip=10)],
        [],
        WHEN,
        read_only={"zw-prod": ["compute"]},
        notes=["pool zw-prod: this cloud uses Keystone unified limits for compute"],
    )
    assert [c.wire_name for c in plan.changes] == ["floatingip"]
    assert plan.notes == ("pool zw-prod: this cloud uses Keystone unified limits for compute",)


def test_type_quotas_change_the_inventory_digest() -> None:
    plain = binding()
    assert qp.inventory_digest([plain]) != qp.inventory_digest([_typed_binding()])


def test_a_deeply_nested_file_is_not_a_plan_and_no_crash() -> None:
    with pytest.raises(ValidationError, match="nested too deep"):
        qp.parse_plan("[" * 5000, "deep.json")

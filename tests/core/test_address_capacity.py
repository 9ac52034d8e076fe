"""Public IPv4 addresses: counting allocation pools, the holder pool, the `floatingip` check,
and the unified-limits note sync records."""

from __future__ import annotations

from dataclasses import replace

from govcloud.core.address_capacity import (
    PUBLIC_IPV4,
    ExternalSubnet,
    PublicCount,
    count_public,
    holder,
    public_view,
    record,
)
from govcloud.core.models import CapacityRecord, Pool
from govcloud.core.quota_check import check_public, unified_note, unified_services
from govcloud.core.severity import Severity
from govcloud.core.sync import PoolListing, PoolSnapshot, diff_pool

V4 = ExternalSubnet("s4", 4, (("172.24.4.2", "172.24.4.254"),))
V6 = ExternalSubnet("s6", 6, (("2001:db8::2", "2001:db8::ffff"),))
POOL = Pool("inet", "互联网区", "Internet", "c", "r", "互联网区", 2)


def test_counts_ipv4_pools_less_ports_and_floating_ips_and_skips_ipv6() -> None:
    got = count_public(
        [V4, V6],
        ["172.24.4.10", "172.24.4.10", "10.0.0.5", "172.24.4.1"],  # dup, private, outside pool
        ["172.24.4.20", "172.24.4.21"],
    )
    assert got == PublicCount(total=253, held=1, floating=2, subnets=1, skipped_ipv6=1)
    assert got.free == 250


def test_a_port_of_a_floating_ip_counts_once() -> None:
    got = count_public([V4], ["172.24.4.20"], ["172.24.4.20"])
    assert (got.held, got.floating) == (0, 1)


def test_holder_is_the_unfiltered_pool_else_first_by_code() -> None:
    assert holder([("b-zone", True), ("z-rest", False)]) == "z-rest"
    assert holder([("b", True), ("a", True)]) == "a"
    assert holder([]) is None


def test_check_finds_floatingip_quotas_above_public_addresses() -> None:
    rec = record("inet", PublicCount(253, 1, 2, 1))
    row = check_public(POOL, "c/r", rec, quota=300, unlimited=0)
    assert (row.capacity, row.allocated, row.severity) == (252, 2, Severity.HIGH)
    assert "exceed its public addresses 252" in row.finding
    ok = check_public(POOL, "c/r", rec, quota=100, unlimited=0)
    assert (ok.severity, ok.finding) == (Severity.OK, "")


def test_no_external_network_is_no_public_addresses_not_a_zero_capacity_finding() -> None:
    row = check_public(POOL, "c/r", record("inet", PublicCount()), quota=50, unlimited=0)
    assert row.severity is Severity.INFO
    assert row.capacity is None
    assert "no public addresses" in row.finding
    assert public_view("c/r", "inet", record("inet", PublicCount())).total is None
    unknown = check_public(POOL, "c/r", None, quota=50, unlimited=0)
    assert unknown.severity is Severity.INFO
    assert "unknown" in unknown.finding


def test_public_count_is_kept_when_the_network_listing_failed() -> None:
    rec = CapacityRecord("inet", PUBLIC_IPV4, 253, 1, 1.0, 2, 1)
    snapshot = PoolSnapshot(capacity=(rec,))
    failed = PoolListing("inet", complete=PoolListing("inet").complete - {"ports"})
    assert diff_pool(snapshot, failed).capacity.removed == ()
    assert diff_pool(snapshot, PoolListing("inet")).capacity.removed == (PUBLIC_IPV4,)
    changed = PoolListing("inet", capacity=(replace(rec, used=3),))
    assert diff_pool(snapshot, changed).capacity.changed


def test_unified_note_round_trips() -> None:
    note = unified_note({"network", "compute"})
    assert note.startswith("quota limits for compute, network come from Keystone unified limits")
    assert unified_services(["other", note]) == frozenset({"compute", "network"})
    assert unified_services(["nothing here"]) == frozenset()

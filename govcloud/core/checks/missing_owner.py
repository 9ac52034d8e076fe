"""`missing-owner`: ownership that does not add up between systems, departments and projects.

The declared schema requires every business system to name a department, so "no owner" shows
up as inconsistencies instead. Three rules, each can be switched off:

- `system_owner_mismatch` (medium, per VM): a VM of a declared system runs in a project that
  belongs to another department than the system's owner — whose bill and whose MLPS duty?
- `department_without_systems` (low, per department): a department runs VMs but declares no
  business system, so none of its VMs can be tied to one.
- `system_without_project` (low, per system, only when the system has VMs): the system's owner
  declares no project in any pool, so its VMs live under someone else's quota. Systems with no
  VMs are left alone: they may be legacy systems not yet moved to the cloud.

Servers in undeclared projects are `unapproved-vm`'s, not repeated here.
"""

from __future__ import annotations

from pydantic import Field

from govcloud.core.audit_data import AuditData
from govcloud.core.checks import CheckParams, register
from govcloud.core.checks._common import vm_finding
from govcloud.core.findings import Finding, SubjectType, Text
from govcloud.core.models import BusinessSystem, Department, Server
from govcloud.core.severity import Severity


class MissingOwnerParams(CheckParams):
    system_owner_mismatch: bool = True
    department_without_systems: bool = True
    system_without_project: bool = Field(True, description="only systems that have VMs")


@register(
    "missing-owner",
    MissingOwnerParams,
    summary=Text(
        "VMs, systems and departments whose ownership does not add up",
        "归属关系不一致的云主机、业务系统和部门",
    ),
    example={
        "system_owner_mismatch": True,
        "department_without_systems": True,
        "system_without_project": True,
    },
)
def missing_owner(data: AuditData, params: MissingOwnerParams) -> list[Finding]:
    findings: list[Finding] = []
    if params.system_owner_mismatch:
        findings += _mismatches(data)
    if params.department_without_systems:
        findings += _departments_without_systems(data)
    if params.system_without_project:
        findings += _systems_without_project(data)
    return findings


def _mismatches(data: AuditData) -> list[Finding]:
    out = []
    for server in data.servers:
        system = data.system_by_code.get(server.system_code or "")
        department = data.department_of(server.pool_code, server.project_id)
        if system is None or department is None or department == system.department_code:
            continue
        out.append(_mismatch(data, server, system, department))
    return out


def _mismatch(data: AuditData, server: Server, system: BusinessSystem, department: str) -> Finding:
    return vm_finding(
        data,
        server,
        check="missing-owner",
        severity=Severity.MEDIUM,
        message=Text(
            f"VM of system {system.code} (owned by {system.department_code}) runs in a project "
            f"of department {department}",
            f"业务系统 {system.name_zh} 归属 {system.department_code}，"
            f"其云主机却位于部门 {department} 的项目中",
        ),
        action=Text(
            "move the VM to the owner's project, or correct the system's owner or the VM's "
            "system metadata",
            "将云主机迁至系统所属部门的项目，或更正业务系统归属或云主机的业务系统元数据",
        ),
        evidence={
            "system_code": system.code,
            "system_department": system.department_code,
            "project_department": department,
            "project_id": server.project_id,
        },
    )


def _departments_without_systems(data: AuditData) -> list[Finding]:
    with_systems = {s.department_code for s in data.systems}
    servers: dict[str, int] = {}
    for server in data.servers:
        dept = data.department_of(server.pool_code, server.project_id)
        if dept is not None:
            servers[dept] = servers.get(dept, 0) + 1
    return [
        _department_finding(data.department_by_code[code], n)
        for code, n in sorted(servers.items())
        if code not in with_systems and code in data.department_by_code
    ]


def _department_finding(dept: Department, n: int) -> Finding:
    return Finding(
        check="missing-owner",
        severity=Severity.LOW,
        subject_type=SubjectType.DEPARTMENT,
        subject_id=dept.code,
        subject_name=dept.short_zh or dept.name_zh,
        subject_name_en=dept.name_en,
        pool=None,
        department=dept.code,
        message=Text(
            f"department runs {n} VM(s) but declares no business system",
            f"部门有 {n} 台云主机，但未申报任何业务系统",
        ),
        action=Text(
            "declare the department's business systems and tag its VMs with them",
            "补充申报该部门的业务系统，并为其云主机设置业务系统元数据",
        ),
        evidence={"servers": n, "systems": 0},
    )


def _systems_without_project(data: AuditData) -> list[Finding]:
    with_projects = {d.code for d in data.departments if d.projects}
    with_projects |= {p.department_code for p in data.projects if p.department_code}
    servers: dict[str, int] = {}
    for server in data.servers:
        if server.system_code:
            servers[server.system_code] = servers.get(server.system_code, 0) + 1
    out = []
    for system in data.systems:
        n = servers.get(system.code, 0)
        if n and system.department_code not in with_projects:
            out.append(_system_finding(system, n))
    return out


def _system_finding(system: BusinessSystem, n: int) -> Finding:
    return Finding(
        check="missing-owner",
        severity=Severity.LOW,
        subject_type=SubjectType.SYSTEM,
        subject_id=system.code,
        subject_name=system.name_zh,
        subject_name_en=system.name_en,
        pool=None,
        department=system.department_code,
        system=system.code,
        message=Text(
            f"system has {n} VM(s) but its department {system.department_code} declares no "
            "project in any pool",
            f"业务系统有 {n} 台云主机，但所属部门 {system.department_code} 未在任何资源池申报项目",
        ),
        action=Text(
            "declare the owner department's project (with approved quota) and move the VMs there",
            "为系统所属部门申报项目（含审批配额），并将云主机迁入",
        ),
        evidence={"servers": n, "system_department": system.department_code},
    )

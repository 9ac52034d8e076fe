"""Generate `inventory/example/`: a city government cloud sized like the public reports.

3 pools (12,536 vCPU / 41 TiB RAM / 1,536 TiB disk), 88 departments, 534 business systems,
120 legacy hosts, and the unit prices the bureau pays its operator. Deterministic:
`python inventory/generate_example.py` rewrites the same bytes, and a test checks that the
committed files match.
"""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "example"
SEED = 20261124
SYSTEMS_TOTAL = 534
LEGACY_HOSTS = 120

POOLS = [
    {
        "code": "zw-prod",
        "name_zh": "政务外网生产区",
        "name_en": "E-gov extranet production",
        "cloud": "zwy",
        "region": "zw-region",
        "security_zone": "政务外网",
        "mlps_level_max": 3,
        "overcommit": {"cpu": 4.0, "ram": 1.0, "disk": 1.0},
        "reserve": {"vcpu": 256, "ram_gib": 1024, "disk_gib": 20480},
        "physical": {"cpu_cores": 1792, "ram_gib": 24576, "disk_tib": 900},
        "storage_backends": ["ceph-ssd", "ceph-sata"],
    },
    {
        "code": "hlw",
        "name_zh": "互联网区",
        "name_en": "Internet zone",
        "cloud": "zwy",
        "region": "hlw-region",
        "security_zone": "互联网区",
        "mlps_level_max": 2,
        "overcommit": {"cpu": 4.0, "ram": 1.0, "disk": 1.0},
        "reserve": {"vcpu": 128, "ram_gib": 512, "disk_gib": 10240},
        "physical": {"cpu_cores": 768, "ram_gib": 10240, "disk_tib": 400},
        "storage_backends": ["hlw-ceph"],
    },
    {
        "code": "dr-test",
        "name_zh": "灾备及测试区",
        "name_en": "Disaster recovery and test",
        "cloud": "zwy",
        "region": "zw-region",
        "availability_zone": "az-dr",
        "aggregate": "agg-dr",
        "security_zone": "灾备区",
        "mlps_level_max": 3,
        "overcommit": {"cpu": 4.0, "ram": 1.0, "disk": 1.0},
        "reserve": {"vcpu": 64, "ram_gib": 256, "disk_gib": 4096},
        "physical": {"cpu_cores": 574, "ram_gib": 7168, "disk_tib": 236},
        "storage_backends": ["dr-sata"],
    },
]

COMMON_SYSTEMS = [
    ("oa", "协同办公系统", "Office automation"),
    ("portal", "门户网站", "Web portal"),
    ("approval", "行政审批系统", "Administrative approval"),
    ("archive", "电子档案管理系统", "Electronic archives"),
    ("exchange", "数据共享交换平台", "Data sharing and exchange"),
    ("video", "视频会议系统", "Video conferencing"),
    ("supervise", "业务监管平台", "Supervision platform"),
    ("mobile", "移动办公平台", "Mobile office"),
    ("license", "电子证照系统", "Electronic licences"),
    ("bi", "数据分析平台", "Data analytics"),
    ("gis", "地理信息系统", "GIS"),
    ("emergency", "应急指挥系统", "Emergency command"),
    ("finance", "财务管理系统", "Financial management"),
    ("hr", "人事管理系统", "Personnel management"),
    ("letters", "信访办理系统", "Petition handling"),
    ("credit", "信用信息系统", "Credit information"),
]
SPECIAL_SYSTEMS = {
    "wjw": [
        ("his", "全民健康信息平台", "Population health information platform"),
        ("emr", "电子健康档案系统", "Electronic health records"),
        ("vaccine", "预防接种管理系统", "Immunisation management"),
    ],
    "gaj": [
        ("hukou", "人口信息管理系统", "Population registry"),
        ("traffic", "交通违法处理系统", "Traffic violations"),
        ("video-cloud", "视频图像解析平台", "Video analytics"),
    ],
    "rsj": [
        ("sbk", "社会保障卡系统", "Social security card"),
        ("employ", "就业服务平台", "Employment services"),
        ("pension", "养老保险系统", "Pension insurance"),
    ],
    "ybj": [("settle", "医保结算系统", "Medical insurance settlement")],
    "zrzy": [
        ("bdc", "不动产登记系统", "Real estate registration"),
        ("plan", "国土空间规划平台", "Territorial spatial planning"),
    ],
    "zwfw": [
        ("ywtb", "一网通办平台", "One-stop government services"),
        ("hall", "政务大厅排队系统", "Service hall queueing"),
    ],
    "sjzx": [
        ("dw", "城市大数据中心", "City data warehouse"),
        ("ops", "云平台运维管理系统", "Cloud operations"),
    ],
}


# Yuan per unit and month, 2026. The operator's service contract was renewed on 1 July with
# lower compute prices, so a year's bill spans two periods; the Internet zone (互联网区) costs
# more (DDoS protection, WAF, public bandwidth), the DR and test pool less. Pool None: the
# price of every pool that declares none of its own.
H1, H2 = date(2026, 1, 1), date(2026, 7, 1)
PRICES: list[tuple[str, str | None, float, float | None]] = [
    # resource, pool, first-half price, second-half price (None: unchanged all year)
    ("vcpu", None, 45.0, 40.0),
    ("ram_gib", None, 15.0, 13.5),
    ("volume_gib", None, 0.5, None),
    ("volume_gib:ssd", None, 0.9, 0.8),
    ("volume_gib:sata", None, 0.35, None),
    ("floating_ip", None, 60.0, None),
    ("vcpu", "hlw", 58.0, 52.0),
    ("ram_gib", "hlw", 19.0, 17.0),
    ("volume_gib:ssd", "hlw", 1.0, None),
    ("floating_ip", "hlw", 95.0, None),
    ("vcpu", "dr-test", 32.0, None),
    ("ram_gib", "dr-test", 11.0, None),
]


def prices() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for resource, pool, first, second in PRICES:
        where = {"pool": pool} if pool else {}
        periods = [(first, H1, H2), (second, H2, None)] if second else [(first, H1, None)]
        for yuan, start, end in periods:
            until = {"valid_to": end} if end else {}
            row = {"resource": resource, **where, "yuan_per_month": yuan, "valid_from": start}
            out.append({**row, **until})
    return out


def _quota(rng: random.Random, weight: float, pool: str) -> dict[str, int]:
    cores = max(16, round(weight * rng.uniform(0.8, 1.2) / 8) * 8)
    ram_ratio = rng.choice([2, 4, 4, 4, 8])
    quota = {
        "cores": cores,
        "ram_gib": cores * ram_ratio,
        "instances": max(10, cores // 4),
        "volume_gib": cores * rng.choice([40, 60, 80, 100]),
        "volumes": max(20, cores // 2),
    }
    # derived, not drawn: the rest of the estate keeps its random stream
    if pool == "zw-prod" and cores >= 128:
        # large production projects get an approved share of the SSD tier
        quota["gigabytes_ssd"] = quota["volume_gib"] // 4
        quota["snapshots"] = quota["volumes"]
    if pool == "hlw":
        # public addresses are scarce in the internet zone: approved one by one
        quota["floatingip"] = max(2, cores // 32)
        quota["security_group_rule"] = 100
    return quota


def departments(rng: random.Random) -> list[dict[str, object]]:
    rows = [
        line.split("|")
        for line in (HERE / "departments.txt").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    # Prod commitments add up to ~118% of zw-prod: the overcommitment staff need to see.
    budgets = {"zw-prod": 7168 * 1.18, "hlw": 3072 * 0.85, "dr-test": 2296 * 0.6}
    weights = [rng.paretovariate(1.6) for _ in rows]
    out = []
    for (code, name_zh, short, name_en), w in zip(rows, weights, strict=True):
        projects = []
        for pool in ("zw-prod", "hlw", "dr-test"):
            if pool != "zw-prod" and rng.random() < (0.45 if pool == "hlw" else 0.55):
                continue
            share = budgets[pool] * w / sum(weights)
            projects.append(
                {"pool": pool, "project": f"{code}-{pool}", "quota": _quota(rng, share, pool)}
            )
        out.append(
            {
                "code": code,
                "name_zh": name_zh,
                "short_zh": short,
                "name_en": name_en,
                "projects": projects,
            }
        )
    return out


def systems(rng: random.Random, depts: list[dict[str, object]]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    codes = [str(d["code"]) for d in depts]
    per_dept = {c: list(SPECIAL_SYSTEMS.get(c, [])) for c in codes}
    while sum(len(v) for v in per_dept.values()) < SYSTEMS_TOTAL:
        code = rng.choice(codes)
        taken = {s[0] for s in per_dept[code]}
        free = [s for s in COMMON_SYSTEMS if s[0] not in taken]
        if free:
            per_dept[code].append(rng.choice(free))
    names = {str(d["code"]): str(d["short_zh"]) for d in depts}
    for code in codes:
        for key, zh, en in per_dept[code]:
            level = (
                3
                if key in ("his", "hukou", "sbk", "settle", "bdc", "ywtb")
                else rng.choice([2, 2, 3])
            )
            out.append(
                {
                    "code": f"{code}-{key}",
                    "name_zh": f"{names[code]}{zh}",
                    "name_en": en,
                    "department": code,
                    "mlps_level": level,
                    "environment": rng.choice(["prod", "prod", "prod", "test"]),
                }
            )
    return out


def hosts(rng: random.Random, syss: list[dict[str, object]]) -> dict[str, object]:
    roles = ["app", "db", "web", "file", "mq"]
    legacy = []
    picked = rng.sample(syss, LEGACY_HOSTS // 2)
    for i in range(LEGACY_HOSTS):
        system = picked[i // 2]
        legacy.append(
            {
                "name": f"{system['code']}-{roles[i % len(roles)]}{i % 2 + 1}",
                "address": f"10.{20 + i // 250}.{(i // 50) % 5 + 1}.{i % 250 + 2}",
                "ssh_user": "govops",
                "key_file": "~/.ssh/govcloud_ed25519",
                "jump_host": "bastion-1",
                "system": system["code"],
            }
        )
    jump = [
        {
            "name": "bastion-1",
            "address": "10.20.0.2",
            "ssh_user": "govops",
            "key_file": "~/.ssh/govcloud_ed25519",
        }
    ]
    return {"jump_hosts": jump, "legacy_hosts": legacy}


class _PlainDumper(yaml.SafeDumper):
    """No &anchors/*aliases for values that happen to be one object (the shared dates)."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _dump(path: Path, header: str, data: dict[str, object]) -> None:
    text = yaml.dump(data, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False, width=120)
    path.write_text(
        f"# {header}\n# Generated by inventory/generate_example.py; edit that.\n{text}",
        encoding="utf-8",
    )


def main() -> int:
    rng = random.Random(SEED)
    OUT.mkdir(exist_ok=True)
    clouds = [{"name": "zwy", "regions": ["zw-region", "hlw-region"]}]
    depts = departments(rng)
    syss = systems(rng, depts)
    _dump(
        OUT / "pools.yaml",
        "Resource pools: which cloud/region/AZ makes each, ratios, reserve",
        {"clouds": clouds, "pools": POOLS},
    )
    _dump(
        OUT / "departments.yaml",
        "Departments (tenants), their projects and approved quotas",
        {"departments": depts},
    )
    _dump(OUT / "systems.yaml", "Business systems", {"systems": syss})
    _dump(
        OUT / "hosts.yaml",
        "Legacy servers to migrate, and the bastion to reach them",
        hosts(rng, syss),
    )
    _dump(
        OUT / "prices.yaml",
        "Unit prices paid to the cloud operator, yuan per unit and month (valid_to exclusive)",
        {"prices": prices()},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Physical or virtual, and which hypervisor: `systemd-detect-virt`, else the DMI strings.

systemd-detect-virt answers `none` with exit status 1 on bare metal: that is an answer. CentOS 6
has no systemd; /sys/class/dmi/id/product_name and sys_vendor are world-readable there too.
"""

from __future__ import annotations

from govcloud.core.host_parse.text import first_line

_DETECT_NAMES = {"microsoft": "hyperv", "oracle": "virtualbox", "amazon": "kvm"}
_DMI_MARKERS = (  # substring of "vendor product", lower case -> hypervisor
    ("vmware", "vmware"),
    ("qemu", "kvm"),
    ("kvm", "kvm"),
    ("openstack", "kvm"),
    ("alibaba cloud", "kvm"),
    ("tencent cloud", "kvm"),
    ("huawei cloud", "kvm"),
    ("bochs", "kvm"),
    ("microsoft corporation virtual", "hyperv"),
    ("xen", "xen"),
    ("virtualbox", "virtualbox"),
    ("innotek", "virtualbox"),
    ("parallels", "parallels"),
)


def parse_detect_virt(raw: bytes) -> str | None:
    answer = first_line(raw)
    if answer is None or not answer.replace("-", "").isalnum():
        return None
    answer = answer.lower()
    return _DETECT_NAMES.get(answer, answer)


def parse_dmi(product_name: bytes | None, sys_vendor: bytes | None) -> str | None:
    """A hypervisor from DMI strings; `none` when both name real hardware; None when absent."""
    product = first_line(product_name or b"") or ""
    vendor = first_line(sys_vendor or b"") or ""
    if not product and not vendor:
        return None
    both = f"{vendor} {product}".lower()
    return next((virt for marker, virt in _DMI_MARKERS if marker in both), "none")

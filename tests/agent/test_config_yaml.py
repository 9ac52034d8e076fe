"""The YAML subset reader must agree with PyYAML or step aside (return None) for PyYAML."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agent.config_file import load_mapping, load_simple_yaml

WEB_CONFIG = (
    "# node_exporter web config\n"
    "tls_server_config:\n"
    "  cert_file: /etc/govcloud-agent/tls/server.crt\n"
    "  key_file: 'server.key'   # relative to this file\n"
    '  client_ca_file: "/etc/govcloud-agent/tls/ca.crt"\n'
    "  client_auth_type: RequireAndVerifyClientCert\n"
    "  min_version: TLS13\n"
    "\n"
    "basic_auth_users:\n"
    "  prometheus: $2y$10$abcdefghijklmnopqrstuv./ABCDEFGHIJKLMNOPQRSTUVWXYZ0123\n"
)
IN_SUBSET = [
    WEB_CONFIG,
    "a:\nb: 'x y'\nc: \"q # r\"  # comment\nd:\n    e:\n      f: g\n    h: i\nj: k\n",
    "spool.dir: /var/lib/govcloud-agent/spool\nlog.level: debug\n",
    "",
]
OUTSIDE = [
    "a: true\n",
    "on: x\n",
    "a: 10\n",
    "a: 0x1F\n",
    "a: Off\n",
    "a: ~\n",
    "a:\n  - x\n",
    "a: [x]\n",
    "a: x: y\n",
    "a: !!str x\n",
    "a: &x y\n",
    "a: 'it''s'\n",
    'a: "\\t"\n',
    " a: b\n",
    "a: b\na: c\n",
    "a:\n\tb: c\n",
    "---\na: b\n",
    "a: b\n  c: d\n",
    "a:\n    b: c\n  d: e\n",
]


@pytest.mark.parametrize("text", IN_SUBSET)
def test_subset_reads_what_pyyaml_reads(text: str) -> None:
    ours = load_simple_yaml(text)
    assert ours is not None
    assert ours == (yaml.safe_load(text) or {})


@pytest.mark.parametrize("text", OUTSIDE)
def test_everything_else_is_left_to_pyyaml(text: str) -> None:
    assert load_simple_yaml(text) is None


def test_load_mapping_falls_back_to_pyyaml_for_typed_values(tmp_path: Path) -> None:
    path = tmp_path / "agent.yaml"
    path.write_text("collector.cpu: false\nweb.max-connections: 8\n")
    assert load_mapping(str(path)) == {"collector.cpu": False, "web.max-connections": 8}

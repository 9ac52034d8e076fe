"""Build ``govcloud-agent.pyz``: the agent as one file runnable by any Python >= 3.11.

psutil is a compiled extension, so it cannot ride inside a zipapp; prometheus-client could, but
is kept out too so security updates come from the OS or pip. Install both on the target
(e.g. ``dnf install python3-prometheus_client``, ``apt install python3-prometheus-client``, or
``pip install prometheus-client``) and run ``python3 govcloud-agent.pyz --web.listen-address ...``.

    python agent/packaging/build_zipapp.py --output dist/govcloud-agent.pyz
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import zipapp
from pathlib import Path

AGENT_DIR = Path(__file__).resolve().parents[1]


def build(output: Path, interpreter: str) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        shutil.copytree(
            AGENT_DIR,
            staging / "agent",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "packaging"),
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        zipapp.create_archive(
            staging,
            output,
            interpreter=interpreter,
            main="agent.main:_zipapp_main",
            compressed=True,
        )
    return output


def main() -> None:
    parser = argparse.ArgumentParser(description="Build govcloud-agent.pyz")
    parser.add_argument("--output", type=Path, default=Path("dist/govcloud-agent.pyz"))
    parser.add_argument("--python", default="/usr/bin/env python3", help="shebang interpreter line")
    args = parser.parse_args()
    print(build(args.output, args.python))


if __name__ == "__main__":
    main()

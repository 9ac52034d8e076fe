"""One `govcloud metrics collect` round over 1,000 simulated agents, 5% of them hanging.

A separate server process listens on 1,000 ports of 127.0.0.1 (distinct target URLs); each port
serves the agent's golden exposition (tests/agent/golden/metrics.txt) with its own instance
UUID, except every 20th port, which accepts the connection, reads the request and never
answers. The collector runs as the real CLI in a subprocess, twice (the second round computes
rates from the first), with the defaults: --concurrency 64 --timeout 5s. Target: <= 10 s.

    .venv/bin/python benchmarks/metrics_collect_farm.py [--agents 1000] [--hanging-every 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLDEN = (REPO / "tests" / "agent" / "golden" / "metrics.txt").read_text()
UUID_IN_GOLDEN = "5a1c7d3e-0f8b-4c2a-9e61-2b7d4f0a9c11"


async def serve(agents: int, hanging_every: int, ready: multiprocessing.Queue[list[int]]) -> None:
    ports = []

    def handler(index: int):  # type: ignore[no-untyped-def]
        body = GOLDEN.replace(UUID_IN_GOLDEN, f"00000000-0000-4000-8000-{index:012d}").encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            if index % hanging_every == 0:
                await asyncio.sleep(3600)  # hangs: the collector's deadline must cut it
            writer.write(head + body)
            await writer.drain()
            writer.close()

        return handle

    for i in range(agents):
        server = await asyncio.start_server(handler(i), "127.0.0.1", 0, backlog=256)
        ports.append(server.sockets[0].getsockname()[1])
    ready.put(ports)
    await asyncio.Event().wait()


def farm(agents: int, hanging_every: int, ready: multiprocessing.Queue[list[int]]) -> None:
    asyncio.run(serve(agents, hanging_every, ready))


def collect(targets: Path, db: Path) -> tuple[float, list[dict[str, object]], int]:
    code = "import sys; from govcloud.cli.main import main; sys.argv[0] = 'govcloud'; main()"
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", code, "-o", "json", "metrics", "collect", "--targets", str(targets)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "GOVCLOUD_DB": str(db)},
        check=False,
    )
    elapsed = time.perf_counter() - started
    return elapsed, json.loads(result.stdout), result.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--hanging-every", type=int, default=20)
    args = parser.parse_args()
    ready: multiprocessing.Queue[list[int]] = multiprocessing.Queue()
    server = multiprocessing.Process(target=farm, args=(args.agents, args.hanging_every, ready))
    server.start()
    try:
        ports = ready.get(timeout=60)
        with tempfile.TemporaryDirectory() as tmp:
            targets, db = Path(tmp) / "targets.yaml", Path(tmp) / "store.db"
            targets.write_text("".join(f"- url: http://127.0.0.1:{p}/metrics\n" for p in ports))
            init = subprocess.run(
                [sys.executable, "-c", "from govcloud.cli.main import main; main()", "init"],
                env={**os.environ, "GOVCLOUD_DB": str(db)},
                cwd=REPO,
                capture_output=True,
                check=True,
            )
            assert init.returncode == 0
            for round_no in (1, 2):
                elapsed, rows, code = collect(targets, db)
                failed = [r for r in rows if r["status"] != "ok"]
                points = sum(int(str(r["points"])) for r in rows)
                print(
                    f"round {round_no}: {len(rows):,} targets, {len(failed)} failed "
                    f"(all '{failed[0]['error'] if failed else '-'}'), {points:,} samples, "
                    f"exit {code}, {elapsed:.2f} s wall (CLI start-up included)"
                )
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()

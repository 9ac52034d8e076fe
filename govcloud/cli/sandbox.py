"""`govcloud sandbox`: The OpenStack-compatible sandbox cloud."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govcloud.cli.state import state

app = typer.Typer(no_args_is_help=True, help="The OpenStack-compatible sandbox cloud.")


@app.command()
def serve(
    ctx: typer.Context,
    inventory: Annotated[
        Path, typer.Option("--inventory", help="Declared inventory folder that seeds the estate.")
    ] = Path("inventory"),
    size: Annotated[
        int | None,
        typer.Option(
            "--size", min=0, max=100_000, help="Total servers [default: what the estate implies]."
        ),
    ] = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="0: any free port.")] = 0,
    latency_ms: Annotated[
        int, typer.Option("--latency-ms", min=0, help="Added to every request.")
    ] = 0,
    fail_rate: Annotated[
        float,
        typer.Option("--fail-rate", min=0.0, max=1.0, help="Share of API requests answered 503."),
    ] = 0.0,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same estate.")] = 0,
    clouds_yaml: Annotated[
        Path | None,
        typer.Option(
            "--clouds-yaml",
            help="Write the sandbox's clouds.yaml here (mode 0600); none is written without it.",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace a --clouds-yaml file the sandbox did not write."),
    ] = False,
) -> None:
    """Serve Keystone, Nova, Cinder, Neutron and Placement on 127.0.0.1 until Ctrl-C."""
    import signal
    import threading

    from govcloud.core.errors import UsageError
    from govcloud.sandbox import Faults, Sandbox
    from govcloud.sandbox.runtime import check_clouds_yaml_target
    from govcloud.services.inventory import read_inventory

    st = state(ctx)
    if clouds_yaml is not None:  # refuse before seeding and binding, not after
        check_clouds_yaml_target(clouds_yaml, force=force)
    faults = Faults(latency_ms=latency_ms, fail_rate=fail_rate, fail_seed=seed)
    try:
        sb = Sandbox.start(
            read_inventory(inventory), size=size, seed=seed, port=port, faults=faults
        )
    except OSError as exc:
        raise UsageError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}",
            hint="pick another --port, or --port 0 for any free one",
        ) from None
    stop = threading.Event()
    # a service manager stops us with SIGTERM; background shells ignore SIGINT
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        written = sb.write_clouds_yaml(clouds_yaml, force=force) if clouds_yaml else None
        _announce(sb.auth_url, written, [c.name for c in sb.clouds()], st.display.output)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        sb.stop()


def _announce(auth_url: str, clouds_yaml: Path | None, clouds: list[str], output: str) -> None:
    import json

    where = str(clouds_yaml.resolve()) if clouds_yaml else None
    if output == "json":
        print(
            json.dumps({"auth_url": auth_url, "clouds_yaml": where, "clouds": clouds}), flush=True
        )
        return
    print(f"auth_url: {auth_url}", flush=True)
    if where is None:
        print("clouds.yaml: not written (pass --clouds-yaml PATH to get one)", flush=True)
    else:
        print(f"clouds.yaml: {where} (clouds: {', '.join(clouds)})", flush=True)
        example = f"openstack --os-cloud {clouds[0]} server list --all-projects"
        print(f"try: OS_CLIENT_CONFIG_FILE={where} {example}", flush=True)
    print("Ctrl-C to stop", flush=True)

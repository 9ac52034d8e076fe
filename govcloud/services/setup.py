"""`govcloud init`: the store at its newest schema, and a config file to edit."""

from __future__ import annotations

import os
from dataclasses import dataclass

from govcloud.adapters.files import write_private
from govcloud.adapters.store.engine import Store, current_revision, describe, resolve_url
from govcloud.core.errors import GovcloudError
from govcloud.services.settings import Settings, default_config_path
from govcloud.services.store import opened

CONFIG_TEMPLATE = """\
# govcloud configuration. Precedence: flags > GOVCLOUD_* environment > this file > defaults.
# db: sqlite:////var/lib/govcloud/govcloud.db   # or postgresql+psycopg://govcloud@db.example/govcloud
# lang: zh            # zh | en
# output: table       # table | json | csv | yaml
# clouds_yaml: /etc/openstack/clouds.yaml
"""


@dataclass(frozen=True)
class StoreInfo:
    url: str
    revision: str | None
    config: str | None


def initialise(settings: Settings) -> StoreInfo:
    url = resolve_url(settings.db)
    with opened(settings, create=True) as store:
        revision = current_revision(store)
        config = settings.config_path or _write_config_template()
        if settings.config_path is None and config is not None:
            _record_config(store, settings, config)
    return StoreInfo(describe(url), revision, str(config) if config else None)


def _record_config(store: Store, settings: Settings, path: os.PathLike[str]) -> None:
    from govcloud.services import trail

    record = trail.stamp(
        settings, event="config.change", object_type="config", object_id=str(path),
        after={"created": True, "template": True},
    )  # fmt: skip
    trail.record_event(store, settings, record)


def _write_config_template() -> os.PathLike[str] | None:
    """The starter config, 0600 and atomic like every file govcloud writes; never replaces one."""
    path = default_config_path()
    if path.exists():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_private(path, CONFIG_TEMPLATE.encode("utf-8"))
    except (OSError, GovcloudError):
        return None
    return path

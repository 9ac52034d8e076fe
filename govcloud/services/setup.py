"""`govcloud init`: the store at its newest schema, and a config file to edit."""

from __future__ import annotations

import os
from dataclasses import dataclass

from govcloud.adapters.store.engine import current_revision, describe, resolve_url
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
    return StoreInfo(describe(url), revision, str(config) if config else None)


def _write_config_template() -> os.PathLike[str] | None:
    path = default_config_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(path, "x", encoding="utf-8") as fh:
            fh.write(CONFIG_TEMPLATE)
    except FileExistsError:
        return path
    except OSError:
        return None
    return path

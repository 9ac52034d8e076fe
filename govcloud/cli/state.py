"""Per-invocation state carried in `ctx.obj`: global flags now, settings resolved on first use."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from govcloud.cli.render import RenderOptions
    from govcloud.services.settings import Settings


@dataclass
class CliState:
    db: str | None = None
    config: str | None = None
    output: str | None = None
    lang: str | None = None
    verbose: int = 0
    _settings: Settings | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from govcloud.services.settings import resolve

            self._settings = resolve(
                db=self.db, lang=self.lang, output=self.output, config=self.config
            )
        return self._settings

    @property
    def output_mode(self) -> str:
        """Best effort without raising: used to shape error output."""
        try:
            return self.settings.output
        except Exception:  # an invalid config must not hide the real error
            return self.output or "table"

    def note(self, text: str) -> None:
        """A human note on stderr (summaries, hints); JSON mode keeps stderr empty."""
        if self.output_mode != "json":
            print(text, file=sys.stderr, flush=True)

    def render_options(self, columns: list[str] | None = None, long: bool = False) -> RenderOptions:
        from govcloud.cli.render import RenderOptions

        s = self.settings
        return RenderOptions(s.output, s.lang, tuple(columns or ()), long)


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj

"""Per-invocation state carried in `ctx.obj`: global flags now, settings resolved on first use."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from govcloud.api import Govcloud
    from govcloud.cli.display import Display
    from govcloud.cli.output_file import OutputFile
    from govcloud.cli.render import RenderOptions
    from govcloud.services.settings import Settings


@dataclass
class CliState:
    db: str | None = None
    config: str | None = None
    output: str | None = None
    lang: str | None = None
    verbose: int = 0
    output_file: OutputFile | None = None  # --output-file, checked in the root callback
    bom: bool = False  # --bom: csv starts with a UTF-8 byte-order mark
    _settings: Settings | None = field(default=None, repr=False)
    _display: Display | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """What the services need (store, operator, trail keys)."""
        if self._settings is None:
            self._resolve()
        assert self._settings is not None
        return self._settings

    def api(self) -> Govcloud:
        """The library the read commands are a thin layer over, on this invocation's store (the
        command's role was checked once, before it ran: cli/role.py)."""
        from govcloud.api import Govcloud

        return Govcloud(self.settings, roles_checked=True)

    @property
    def display(self) -> Display:
        """The language and output format: the CLI's, never passed to a service as such."""
        if self._display is None:
            self._resolve()
        assert self._display is not None
        return self._display

    def _resolve(self) -> None:
        """Both from one read of the config file; a bad --lang or -o fails every command."""
        import os

        from govcloud.cli.display import resolve_display
        from govcloud.services.settings import load_config, resolve

        env = dict(os.environ)
        file = load_config(self.config, env)
        settings = resolve(db=self.db, env=env, file=file)
        self._display = resolve_display(self.lang, self.output, file, env)
        self._settings = settings

    @property
    def output_mode(self) -> str:
        """Best effort without raising: used to shape error output."""
        try:
            return self.display.output
        except Exception:  # an invalid config must not hide the real error
            return self.output or "table"

    def note(self, text: str) -> None:
        """A human note on stderr (summaries, hints); JSON mode keeps stderr empty."""
        if self.output_mode != "json":
            if self.display_lang == "zh":
                from govcloud.cli.messages import translate  # loaded only for a zh note

                text = translate(text, "zh")
            print(text, file=sys.stderr, flush=True)

    def tr(self, text: str) -> str:
        """TEXT in the language of notes, for stderr that `note` does not print (a prompt,
        a line above a progress bar, a part of a line put together by the caller)."""
        if self.display_lang != "zh":
            return text
        from govcloud.cli.messages import translate

        return translate(text, "zh")

    @property
    def display_lang(self) -> str:
        """Best effort without raising, like output_mode: the language of notes and errors."""
        try:
            return self.display.lang
        except Exception:  # an invalid config must not hide the real error
            return self.lang or "en"

    def render_options(self, columns: list[str] | None = None, long: bool = False) -> RenderOptions:
        from govcloud.cli.render import RenderOptions

        d = self.display
        return RenderOptions(
            d.output, d.lang, tuple(columns or ()), long,
            bom=self.bom, sink=self.output_file, title=_command_title(),
        )  # fmt: skip


def _command_title() -> str:
    """The running command without the program ("vm list"): names an xlsx sheet."""
    from typer._click.globals import get_current_context

    ctx = get_current_context(silent=True)
    return ctx.command_path.partition(" ")[2] if ctx is not None else ""


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj

"""How the CLI shows results: the language of its words and its output format.

Both are the CLI's alone (services and the library API return typed records and never see
them). Precedence, highest first: `--lang` / `-o`, GOVCLOUD_LANG / GOVCLOUD_OUTPUT, the config
file's `lang` / `output` keys, then the locale (language) and `table` (format).
"""

from __future__ import annotations

import locale
from dataclasses import dataclass
from typing import TYPE_CHECKING

from govcloud.core.errors import UsageError
from govcloud.services.settings import LANGS

if TYPE_CHECKING:
    from govcloud.services.settings import ConfigFile

OUTPUTS = ("table", "json", "csv", "yaml", "xlsx")  # xlsx: only into --output-file


@dataclass(frozen=True)
class Display:
    lang: str
    output: str


def resolve_display(
    lang: str | None, output: str | None, file: ConfigFile, env: dict[str, str]
) -> Display:
    chosen_lang = lang or env.get("GOVCLOUD_LANG") or file.data.get("lang") or locale_lang(env)
    chosen_output = output or env.get("GOVCLOUD_OUTPUT") or file.data.get("output") or "table"
    if chosen_lang not in LANGS:
        raise UsageError(f"unknown language {chosen_lang!r}", hint="use zh or en")
    if chosen_output not in OUTPUTS:
        raise UsageError(
            f"unknown output format {chosen_output!r}", hint="use " + "|".join(OUTPUTS)
        )
    return Display(chosen_lang, chosen_output)


def locale_lang(env: dict[str, str]) -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        current = locale.getlocale()[0] or ""
    except ValueError:
        current = ""
    return "zh" if current.lower().startswith("zh") else "en"

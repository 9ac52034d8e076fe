"""Global options may follow the sub-command (`govcloud pool list -o json`), as operators type
them; click only reads them before it. Move them to the front, leaving everything after `--`."""

from __future__ import annotations

WITH_VALUE = ("--db", "--config", "-o", "--output", "--lang")
FLAGS = ("-v", "-vv", "-vvv", "--verbose")


def hoist_global_options(argv: list[str]) -> list[str]:
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0]
        if name in WITH_VALUE and "=" in arg and arg.startswith("--"):
            front.append(arg)
        elif arg in WITH_VALUE and i + 1 < len(argv):
            front.extend(argv[i : i + 2])
            i += 1
        elif arg.startswith("-o") and len(arg) > 2 and not arg.startswith("--"):
            front.append(arg)  # -ojson
        elif arg in FLAGS:
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest

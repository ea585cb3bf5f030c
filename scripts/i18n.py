"""Translation catalogue tools.

    python scripts/i18n.py update   extract every message and merge it into each catalogue
    python scripts/i18n.py check    list messages that have no translation (exit 1 if any)
    python scripts/i18n.py compile  compile the catalogues (portal init does this too)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "translations" / "messages.pot"
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext"]


def update() -> None:
    from babel.messages.pofile import read_po, write_po

    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), *KEYWORDS, "--no-location", "--sort-output",
                    "--omit-header", "-o", str(POT), "portal", "templates"],
                   check=True, cwd=ROOT)
    with POT.open("rb") as handle:
        template = read_po(handle)
    if len(template) < 10:
        raise SystemExit(f"only {len(template)} messages extracted; catalogues left as they were")
    for path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=path.parent.parent.name)
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        with path.open("wb") as handle:
            write_po(handle, catalogue, width=100, no_location=True, sort_output=True)


def missing() -> dict[str, list[str]]:
    from babel.messages.pofile import read_po

    result = {}
    for path in sorted((ROOT / "translations").glob("*/LC_MESSAGES/messages.po")):
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        gaps = []
        for message in catalogue:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                gaps.append(message.id if isinstance(message.id, str) else message.id[0])
        result[path.parent.parent.name] = gaps
    return result


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        sys.path.insert(0, str(ROOT))
        from portal import create_app
        from portal.cli import compile_catalogues

        with create_app().app_context():
            print(f"{compile_catalogues()} catalogue(s) compiled")
    elif command == "check":
        gaps = missing()
        for locale, ids in gaps.items():
            for msgid in ids:
                print(f"{locale}: {msgid}")
        return 1 if any(gaps.values()) else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

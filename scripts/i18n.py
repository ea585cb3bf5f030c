"""Translation catalogue tools.

    python scripts/i18n.py update   extract every message and merge it into each catalogue
    python scripts/i18n.py check    list messages that have no translation (exit 1 if any)
    python scripts/i18n.py compile  compile the catalogues (portal init does this too)
    python scripts/i18n.py set FILE [LOCALE]
                                    fill in translations from FILE (default zh_Hans_CN), one per
                                    line: context, message and translation separated by tabs
                                    (an empty context for a plain message)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "translations" / "messages.pot"
# Besides gettext, ngettext and pgettext (Babel's defaults): the lazy forms used at module level.
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "lazy_pgettext:1c,2"]


def extract(pot: Path = POT):
    """Every message in portal/ and templates/, with its context and source locations."""
    from babel.messages.pofile import read_po

    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "babel.cfg"), *KEYWORDS, "--sort-output", "--omit-header",
                    "-o", str(pot), "portal", "templates"],
                   check=True, cwd=ROOT, capture_output=True)
    with pot.open("rb") as handle:
        return read_po(handle)


def update() -> None:
    from babel.messages.pofile import read_po, write_po

    template = extract()
    if len(template) < 10:
        raise SystemExit(f"only {len(template)} messages extracted; catalogues left as they were")
    for path in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=path.parent.parent.name)
        created = catalogue.creation_date
        catalogue.update(template, no_fuzzy_matching=True)
        # The template's extraction time would change the header on every run, and every
        # branch's catalogue would then conflict with every other's on that one line.
        catalogue.creation_date = created
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
                text = message.id if isinstance(message.id, str) else message.id[0]
                gaps.append(f"[{message.context}] {text}" if message.context else text)
        result[path.parent.parent.name] = gaps
    return result


def set_translations(source: Path, locale: str = "zh_Hans_CN") -> int:
    """Write translations given as tab-separated lines into one catalogue; returns how many."""
    from babel.messages.pofile import read_po, write_po

    path = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    done = 0
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            context, msgid, text = line.split("\t")
        except ValueError:
            raise SystemExit(f"{source}:{number}: want context<TAB>message<TAB>translation"
                             ) from None
        found = None
        for message in catalogue:
            key = message.id if isinstance(message.id, str) else message.id[0]
            if key == msgid and (message.context or "") == context:
                found = message
        if found is None:
            raise SystemExit(f"{source}:{number}: no message [{context}] {msgid!r}; run update")
        found.string = (text,) if isinstance(found.id, tuple) else text
        found.flags.discard("fuzzy")
        done += 1
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=100, no_location=True, sort_output=True)
    return done


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
    elif command == "set" and len(sys.argv) > 2:
        count = set_translations(Path(sys.argv[2]), *sys.argv[3:4])
        print(f"{count} translation(s) written")
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

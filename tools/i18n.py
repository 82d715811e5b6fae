"""Translation catalogues, one per feature, so features translate their own strings.

    python tools/i18n.py update    extract strings and update every catalogue's .po (nl, …)
    python tools/i18n.py compile   compile every .po to .mo
    python tools/i18n.py check     fail when a string is missing or untranslated in Dutch
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
LANGUAGES = ["nl"]  # complete catalogues; fr, hr, el, it, pl, es come next
FEATURES = ["courses", "coaching", "peers", "municipalities", "results", "notifications"]


def catalogues() -> dict[Path, list[Path]]:
    """Catalogue directory -> the sources it covers. The core one covers what is not a feature's."""
    core_templates = [p for p in (APP / "templates").iterdir()
                      if p.is_file() or p.name not in FEATURES]
    result = {APP / "translations": [APP / "__init__.py", APP / "core", APP / "api", APP / "auth",
                                      APP / "admin", *sorted(core_templates)]}
    for name in FEATURES:
        sources = [p for p in (APP / name, APP / "templates" / name) if p.exists()]
        result[APP / name / "translations"] = sources
    return result


def pybabel(*args: str) -> None:
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "-q", *args], check=True, cwd=ROOT)


def extract(sources: list[Path], pot: Path) -> None:
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output",
            "--project", "Mayors in Action", "-o", str(pot), *[str(s.relative_to(ROOT)) for s in sources])


def update() -> None:
    for directory, sources in catalogues().items():
        directory.mkdir(parents=True, exist_ok=True)
        pot = directory / "messages.pot"
        extract(sources, pot)
        for lang in LANGUAGES:
            po = directory / lang / "LC_MESSAGES" / "messages.po"
            if po.exists():
                pybabel("update", "-i", str(pot), "-d", str(directory), "-l", lang, "--no-fuzzy-matching",
                        "--ignore-obsolete")
            else:
                pybabel("init", "-i", str(pot), "-d", str(directory), "-l", lang)


def compile_all() -> None:
    for directory in catalogues():
        if any(directory.glob("*/LC_MESSAGES/messages.po")):
            pybabel("compile", "-d", str(directory), "--use-fuzzy")


def problems() -> list[str]:
    """Strings in the code but not in a catalogue, or without a Dutch translation."""
    found = []
    for directory, sources in catalogues().items():
        with tempfile.TemporaryDirectory() as tmp:
            pot = Path(tmp) / "messages.pot"
            extract(sources, pot)
            with pot.open("rb") as handle:
                wanted = {m.id for m in read_po(handle) if m.id}
        for lang in LANGUAGES:
            po = directory / lang / "LC_MESSAGES" / "messages.po"
            if not po.exists():
                if wanted:
                    found.append(f"{po.relative_to(ROOT)}: missing ({len(wanted)} strings)")
                continue
            with po.open("rb") as handle:
                catalog = read_po(handle)
            have = {m.id: m for m in catalog if m.id}
            for msgid in sorted(wanted, key=str):
                message = have.get(msgid)
                text = msgid if isinstance(msgid, str) else msgid[0]
                if message is None:
                    found.append(f"{po.relative_to(ROOT)}: not in catalogue: {text!r}")
                elif message.fuzzy or not (all(message.string) if isinstance(message.string, tuple)
                                            else message.string):
                    found.append(f"{po.relative_to(ROOT)}: untranslated: {text!r}")
    return found


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        issues = problems()
        print("\n".join(issues) or "every string has its Dutch translation")
        return 1 if issues else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

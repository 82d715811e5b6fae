"""Translation catalogues, one per feature, so features translate their own strings.

    python tools/i18n.py update    extract strings and update every catalogue's .po (nl, …)
    python tools/i18n.py compile   compile every .po to .mo
    python tools/i18n.py check     fail when a string is missing or untranslated in a language; print the counts
    python tools/i18n.py carry     after `update`: fill untranslated strings from another catalogue that has
                                   them (a string that moved from one feature to another keeps its translation)
"""
from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
LANGUAGES = ["nl", "fr", "hr", "el", "it", "pl", "es"]  # catalogues beside English, kept up to date by `update`


def offered() -> list[str]:
    """The languages the interface offers (app/config.py): their catalogues must be complete."""
    sys.path.insert(0, str(ROOT))
    from app.config import Defaults

    return [lang for lang in Defaults.LANGUAGES if lang != "en"]
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
    pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "lazy_ngettext:1,2", "-k", "Phrase",
            "--no-location", "--sort-output",
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


def carry() -> int:
    """Untranslated messages take the translation another catalogue of the same language has for them."""
    from babel.messages.pofile import write_po

    filled = 0
    for lang in LANGUAGES:
        paths = [d / lang / "LC_MESSAGES" / "messages.po" for d in catalogues()]
        paths = [p for p in paths if p.exists()]
        known = {}
        for path in paths:  # the catalogues as they are, then as last committed (`update` drops moved strings)
            committed = subprocess.run(["git", "show", f"HEAD:{path.relative_to(ROOT)}"], cwd=ROOT,
                                       capture_output=True).stdout
            for source in (path.read_bytes(), committed):
                for message in read_po(io.BytesIO(source)) if source else ():
                    if message.id and message.string and not message.fuzzy:
                        known.setdefault(message.id, message.string)
        for path in paths:
            with path.open("rb") as handle:
                catalog = read_po(handle)
            changed = False
            for message in catalog:
                if message.id and not message.string and message.id in known:
                    message.string = known[message.id]
                    changed = True
                    filled += 1
            if changed:
                with path.open("wb") as handle:
                    write_po(handle, catalog, width=0, omit_header=False, sort_output=True)
    return filled


def problems(counts: dict[str, list[int]] | None = None) -> list[str]:
    """Strings in the code but not in a catalogue, or without a translation in one of the languages.
    `counts` collects, per language, [translated, wanted]."""
    found = []
    counts = {} if counts is None else counts
    required = offered()
    for directory, sources in catalogues().items():
        with tempfile.TemporaryDirectory() as tmp:
            pot = Path(tmp) / "messages.pot"
            extract(sources, pot)
            with pot.open("rb") as handle:
                wanted = {m.id for m in read_po(handle) if m.id}
        for lang in LANGUAGES:
            po = directory / lang / "LC_MESSAGES" / "messages.po"
            report = found if lang in required else []
            if not po.exists():
                if wanted:
                    found.append(f"{po.relative_to(ROOT)}: missing ({len(wanted)} strings)")
                continue
            with po.open("rb") as handle:
                catalog = read_po(handle)
            have = {m.id: m for m in catalog if m.id}
            tally = counts.setdefault(lang, [0, 0])
            for msgid in sorted(wanted, key=str):
                message = have.get(msgid)
                text = msgid if isinstance(msgid, str) else msgid[0]
                tally[1] += 1
                if message is None:
                    report.append(f"{po.relative_to(ROOT)}: not in catalogue: {text!r}")
                elif message.fuzzy or not (all(message.string) if isinstance(message.string, tuple)
                                            else message.string):
                    report.append(f"{po.relative_to(ROOT)}: untranslated: {text!r}")
                else:
                    tally[0] += 1
    return found


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "carry":
        print(f"{carry()} translations carried over")
    elif command == "check":
        counts: dict[str, list[int]] = {}
        issues = problems(counts)
        if issues:
            print("\n".join(issues))
        for lang, (done, wanted) in counts.items():
            state = "offered" if lang in offered() else "not offered until complete"
            print(f"{lang}: {done} of {wanted} strings translated ({state})")
        if not issues:
            print(f"every string has its translation in {', '.join(offered())}")
        return 1 if issues else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

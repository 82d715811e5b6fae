"""Build step: compile every translation catalogue (.po) into the .mo files the wheel ships.

The .mo files are not committed; `pip wheel .` (and `pip install .`) compiles them into the build with
Babel, so an installed platform speaks Dutch without a source tree. Everything else is in setup.cfg.
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class build_py_with_catalogues(build_py):
    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        source = Path(__file__).resolve().parent
        # Editable installs read the source tree: compile in place there; wheels get them in build_lib.
        target = source if getattr(self, "editable_mode", False) else Path(self.build_lib)
        for po in sorted((source / "app").rglob("LC_MESSAGES/*.po")):
            mo = target / po.relative_to(source).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as handle:
                catalog = read_po(handle)
            with mo.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=True)


setup(cmdclass={"build_py": build_py_with_catalogues})

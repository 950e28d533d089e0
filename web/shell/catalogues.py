"""The gettext catalogues of interface text: extract, update, compile and check them.

python -m web translations extract   # templates and Python -> web/translations/messages.pot
python -m web translations update    # merge the template into every <lang>/LC_MESSAGES/messages.po
python -m web translations compile   # .po -> .mo (also done by `python -m web build`)
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from web.settings import ROOT
from web.shell.i18n import CATALOGUES

TEMPLATE = CATALOGUES / "messages.pot"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [
    ("web/**.py", "python"),
    ("templates/**.html", "jinja2"),
]
OPTIONS = {
    "templates/**.html": {"extensions": "jinja2.ext.i18n,jinja2.ext.do", "trim_blocks": "True", "lstrip_blocks": "True"}
}


def extract() -> Catalog:
    catalog = Catalog(project="ACT Early web", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS, options_map=OPTIONS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_files() -> dict[str, Path]:
    return {path.parent.parent.name: path for path in sorted(CATALOGUES.glob("*/LC_MESSAGES/messages.po"))}


def _write(catalog: Catalog, path: Path) -> None:
    buffer = io.BytesIO()
    # Strings the code no longer has are dropped, not kept as #~ entries a translator would have to read past.
    write_po(buffer, catalog, omit_header=True, no_location=True, sort_output=True, width=100, ignore_obsolete=True)
    path.write_bytes(buffer.getvalue())


def write_template() -> Catalog:
    catalog = extract()
    _write(catalog, TEMPLATE)
    return catalog


def update() -> None:
    template = write_template()
    for lang, path in po_files().items():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        catalog.update(template, no_fuzzy_matching=True)
        _write(catalog, path)


def compile_all() -> list[Path]:
    written = []
    for lang, path in po_files().items():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        target = path.with_suffix(".mo")
        with target.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(target)
    return written


def untranslated(lang: str) -> list[str]:
    """Message ids of the template that `lang` has no translation for (missing, empty or fuzzy)."""
    with po_files()[lang].open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    missing = []
    for message in extract():
        if not message.id:
            continue
        translated = catalog.get(message.id)
        strings = translated.string if translated is not None else None
        values = strings if isinstance(strings, tuple) else (strings,)
        if translated is None or translated.fuzzy or not all(values):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing

"""Every file of the toolkit for one force and language, and "everything for my force" as one zip archive.

`catalogue()` lists the files (what each is, its link with the force's campaign tag, an image's alt text
and suggested post) without making them; `asset()` makes one; `archive()` makes the zip, with a contents
list (CONTENTS.txt) first. Links carry only what they carry today: `utm_source` (poster for print,
social for screens) and `utm_campaign` (the force's slug), nothing else.

Made files are kept in in-memory LRU caches: 512 files (about 24 MB: 46 KB each on average) and 8 archives
(about 12 MB), keyed by force, language, site address and content folder. A changed fact is in every file made after
the next start (the facts are read once per process, as the site's pages read them).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from web.content.forces import Force
from web.toolkit import documents, images, leaflet, posters, table_card
from web.toolkit.words import THEMES, Kit, load_kit

LANGUAGES = posters.LANGUAGES
ARCHIVE = "everything.zip"
FIXED_TIME = (2020, 9, 1, 0, 0, 0)
# The two addresses the first toolkit had, kept working for the posters and posts already out there.
ALIASES = {"poster.pdf": "poster-act-early-a4.pdf", "social.png": "social-act-early-square.png"}
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "zip": "application/zip",
}


@dataclass(frozen=True)
class Asset:
    name: str  # its file name, in the archive and in its address
    folder: str  # its folder in the archive
    label: str  # what it is, in the asset's language
    make: Callable[[], bytes]
    link: str = ""  # the address it points to, with the force's campaign tag
    alt: str = ""  # an image's alt text
    post: str = ""  # an image's suggested post
    size: str = ""  # paper size or pixels

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.name.rsplit(".", 1)[1]]


def campaign_url(site: str, path: str, source: str, force: Force) -> str:
    return f"{site}{path}?utm_source={source}&utm_campaign={force.slug}"


def host(site: str) -> str:
    return site.split("://", 1)[-1].rstrip("/")


def catalogue(force: Force, lang: str, site: str, content_dir: Path) -> list[Asset]:
    """Every file for `force` in `lang`, in the order the contents list shows them."""
    kit = load_kit(content_dir, lang)
    name = force.name_in(lang)
    words = kit.words
    found: list[Asset] = []
    for theme in THEMES:
        path = kit.path_of(theme)
        url, address = campaign_url(site, path, "poster", force), host(site) + path.rstrip("/")
        for paper in posters.SIZES:
            label = f"{words('contents.poster')}: {kit.themes[theme].name}, {words(f'contents.{paper}')}"
            make = _bind(posters.poster_pdf, kit, theme, paper, name, url, address)
            found.append(Asset(f"poster-{theme}-{paper}.pdf", "posters", label, make, url, size=paper.upper()))
    for theme in THEMES:
        path = kit.path_of(theme)
        url, address = campaign_url(site, path, "social", force), host(site) + path.rstrip("/")
        for size_key, size in images.SIZES.items():
            found.append(
                Asset(
                    f"social-{theme}-{size_key}.png",
                    "social-media",
                    f"{kit.themes[theme].name}: {words(f'images.sizes.{size_key}')}",
                    _bind(images.social_png, kit, theme, size_key, name, url, address),
                    url,
                    alt=images.image_alt_text(kit, theme, size_key, name, address),
                    post=kit.themes[theme].post.replace("{url}", url),
                    size=f"{size.width} × {size.height}",
                )
            )
    home = kit.path_of("act-early")
    url, address = campaign_url(site, home, "social", force), host(site) + home.rstrip("/")
    found.append(
        Asset(
            "email-signature.png",
            "social-media",
            words("images.sizes.banner"),
            _bind(images.banner_png, kit, name, address),
            url,
            alt=images.banner_alt_text(kit, address),
            size="{} × {}".format(*images.BANNER),
        )
    )
    url, address = campaign_url(site, home, "poster", force), host(site) + home.rstrip("/")
    found += [
        Asset(
            "leaflet-a5.pdf",
            "prevent-officers",
            words("contents.leaflet"),
            _bind(leaflet.leaflet_pdf, kit, name, url, address),
            url,
            size="A5",
        ),
        Asset(
            "table-card.pdf",
            "prevent-officers",
            words("contents.table_card"),
            _bind(table_card.table_card_pdf, kit, name, url, address),
            url,
            size="A4",
        ),
        Asset(
            "talk-outline.docx",
            "prevent-officers",
            words("documents.talk.title"),
            _bind(documents.talk_docx, kit, name, address),
        ),
    ]
    for file, key, make_document in (
        ("key-messages.docx", "key_messages", documents.key_messages_docx),
        ("press-release.docx", "press_release", documents.press_release_docx),
        ("lines-to-take.docx", "lines_to_take", documents.lines_to_take_docx),
        ("launch-checklist.docx", "checklist", documents.checklist_docx),
    ):
        label = words(f"documents.{key}.title", force=name)
        found.append(Asset(file, "documents", label, _bind(make_document, kit, name)))
    return found


def _bind(make: Callable[..., bytes], *args: object) -> Callable[[], bytes]:
    return lambda: make(*args)


@lru_cache(maxsize=16)
def _catalogue_by_name(force: Force, lang: str, site: str, content_dir: Path) -> dict[str, Asset]:
    return {asset.name: asset for asset in catalogue(force, lang, site, content_dir)}


def find(force: Force, lang: str, site: str, content_dir: Path, name: str) -> Asset | None:
    return _catalogue_by_name(force, lang, site, content_dir).get(ALIASES.get(name, name))


@lru_cache(maxsize=512)
def asset(force: Force, lang: str, site: str, content_dir: Path, name: str) -> bytes:
    """The file called `name` (KeyError when there is none)."""
    found = find(force, lang, site, content_dir, name)
    if found is None:
        raise KeyError(name)
    return found.make()


@lru_cache(maxsize=8)
def archive(force: Force, lang: str, site: str, content_dir: Path) -> bytes:
    """Everything for `force` in `lang`: one folder with a contents list and every file."""
    folder = archive_name(force, lang).removesuffix(".zip")
    files = [
        (item, asset(force, lang, site, content_dir, item.name)) for item in catalogue(force, lang, site, content_dir)
    ]
    contents = contents_list(load_kit(content_dir, lang), force, files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zipped:
        zipped.writestr(zipfile.ZipInfo(f"{folder}/CONTENTS.txt", FIXED_TIME), contents, zipfile.ZIP_DEFLATED)
        for item, body in files:
            # PDF, PNG and DOCX are compressed already: stored as they are.
            zipped.writestr(
                zipfile.ZipInfo(f"{folder}/{item.folder}/{item.name}", FIXED_TIME), body, zipfile.ZIP_STORED
            )
    return out.getvalue()


def archive_name(force: Force, lang: str) -> str:
    return f"act-early-toolkit-{force.slug}-{lang}.zip"


def download_name(force: Force, lang: str, name: str) -> str:
    """The name a downloaded file is saved as: act-early-poster-signs-a4-kent-en.pdf (the first toolkit's
    two files keep theirs: act-early-poster-kent-en.pdf, act-early-social-kent-en.png)."""
    stem, extension = name.rsplit(".", 1)
    return f"act-early-{stem}-{force.slug}-{lang}.{extension}"


def contents_list(kit: Kit, force: Force, files: list[tuple[Asset, bytes]]) -> str:
    """CONTENTS.txt: every file in the archive, what it is, and an image's alt text and suggested post."""
    words = kit.words
    title = words("contents.title", force=force.name_in(kit.lang))
    lines = [title, "=" * len(title), "", words("contents.intro")]
    if not kit.translator_reviewed:
        lines += ["", words("contents.welsh_note")]
    for item, body in files:
        lines += [
            "",
            f"{item.folder}/{item.name}",
            f"  {item.label} ({item.size + ', ' if item.size else ''}{len(body) // 1000} KB)",
        ]
        for label, value in (("link", item.link), ("alt", item.alt), ("post", item.post)):
            if value:
                lines.append(f"  {words(f'contents.{label}')}: {value}")
    lines += ["", words("leaflet.fold"), words("table_card.fold")]
    return "\n".join(lines) + "\n"

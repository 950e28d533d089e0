"""The content check: everything a content file can get wrong, reported with the file's name.

Errors fail the check. Translations that are out of date or await a translator's review are
reported, and fail the check only with `strict=True`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean

import yaml

from web.clock import utc_today
from web.content.facts import FactsFileError, figures_written_out
from web.content.library import content_files, facts_of, library_of, load_page
from web.content.names import DEFAULT_LANGUAGE, HOME, IN_ENGLISH
from web.content.page import ContentError, Page, display_path, split_front_matter
from web.content.readability import MAXIMUM_AVERAGE_GRADE, MAXIMUM_GRADE, readability

# Addresses served by the app rather than by a content file.
APP_PATHS = {"/", "/exit", "/sitemap.xml", "/robots.txt"}
REDIRECTS_FILE = "redirects.yaml"
TRANSLATION_NOTICE = "advice/_translation_notice.html"
APP_PATHS_PER_LANGUAGE = ("search", "share-a-concern", "share-a-concern/callback", "films")


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    out_of_date: list[str] = field(default_factory=list)
    awaiting_review: list[str] = field(default_factory=list)
    grades: dict[str, float] = field(default_factory=dict)
    pages_per_language: dict[str, int] = field(default_factory=dict)

    def passed(self, *, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.out_of_date)

    @property
    def average_grade(self) -> float:
        return mean(self.grades.values()) if self.grades else 0.0


def check_content(content_dir: Path, templates_dir: Path | None = None, today: dt.date | None = None) -> Report:
    """Every content file, the facts file and the redirects; `today` (UTC) for the review dates."""
    report = Report()
    today = today or utc_today()
    try:
        facts = facts_of(content_dir)
    except (FactsFileError, ContentError) as error:
        report.errors.append(str(error))
        return report
    pages: list[Page] = []
    for lang, path in content_files(content_dir):
        try:
            pages.append(load_page(lang, path, facts))
        except ContentError as error:
            report.errors.append(str(error))
    try:
        library = library_of(pages, content_dir, facts)
    except ContentError as error:
        report.errors.append(str(error))
        return report
    _check_redirects(content_dir / REDIRECTS_FILE, report)
    english = {page.slug: page for page in library.in_language(DEFAULT_LANGUAGE)}
    known_paths = _known_paths(library.pages)
    anchors = {_path_of(page): {heading.id for heading in page.headings} for page in pages}
    for page in pages:
        report.pages_per_language[page.lang] = report.pages_per_language.get(page.lang, 0) + 1
        _check_headings(page, report)
        _check_links(page, known_paths, anchors, report)
        _check_images(page, report)
        _check_translation(page, english, report)
        _check_written_out(page, report)
        _check_review(page, today, report)
        if templates_dir is not None:
            _check_translation_notice(page, templates_dir, report)
        if page.lang == DEFAULT_LANGUAGE:
            grade = readability(page.body_text.splitlines()).grade
            report.grades[page.slug] = grade
            if grade > MAXIMUM_GRADE:
                report.errors.append(
                    f"{display_path(page.path)}: reading grade {grade:.1f} is above {MAXIMUM_GRADE:.0f}: "
                    "use shorter sentences and everyday words"
                )
    if report.grades and report.average_grade > MAXIMUM_AVERAGE_GRADE:
        report.errors.append(
            f"content/{DEFAULT_LANGUAGE}: the average reading grade {report.average_grade:.1f} "
            f"is above {MAXIMUM_AVERAGE_GRADE:.0f}"
        )
    return report


def _path_of(page: Page) -> str:
    return f"/{page.lang}/" if page.slug == HOME else f"/{page.lang}/{page.slug}"


def _known_paths(pages: dict[tuple[str, str], Page]) -> set[str]:
    languages = {lang for lang, _ in pages}
    per_language = {f"/{lang}/{name}" for lang in languages for name in APP_PATHS_PER_LANGUAGE}
    return APP_PATHS | per_language | {_path_of(page) for page in pages.values()}


def _check_headings(page: Page, report: Report) -> None:
    previous = 1  # the page title is the only h1
    for heading in page.headings:
        if heading.level == 1:
            report.errors.append(
                f"{display_path(page.path)}: heading '{heading.text}' is a level 1 heading: "
                "the title is the page's only h1, so start at ##"
            )
        elif heading.level > previous + 1:
            report.errors.append(
                f"{display_path(page.path)}: heading '{heading.text}' skips from level "
                f"{previous} to level {heading.level}"
            )
        previous = heading.level


def _check_links(page: Page, known: set[str], anchors: dict[str, set[str]], report: Report) -> None:
    for link in page.links:
        href = link.href
        if not link.text.strip():
            report.errors.append(f"{display_path(page.path)}: a link to {href} has no text")
        if href.startswith(("https://", "tel:", "mailto:")):
            continue
        if href.startswith("http://"):
            report.errors.append(f"{display_path(page.path)}: link {href} must use https")
            continue
        path, _, fragment = href.partition("#")
        path = path.split("?", 1)[0] or _path_of(page)
        if not path.startswith("/") or path not in known:
            report.errors.append(f"{display_path(page.path)}: link '{link.text}' goes to {href}, which is not a page")
        elif (
            page.lang in IN_ENGLISH
            and path.startswith(f"/{DEFAULT_LANGUAGE}/")
            and not link.text.rstrip().endswith(IN_ENGLISH[page.lang])
        ):
            report.errors.append(
                f"{display_path(page.path)}: link '{link.text}' goes to a page in English: end its text with "
                f"'{IN_ENGLISH[page.lang]}', so the link's name says so"
            )
        elif fragment and path in anchors and fragment not in anchors[path]:
            report.errors.append(
                f"{display_path(page.path)}: link '{link.text}' goes to #{fragment}, which is not a heading on {path}"
            )


def _check_written_out(page: Page, report: Report) -> None:
    """Phone numbers, percentages, large figures and opening times come from content/facts.yaml."""
    _, body = split_front_matter(page.path, page.path.read_text(encoding="utf-8"))
    for what, text in figures_written_out(body):
        report.errors.append(
            f"{display_path(page.path)}: '{text}' is {what} written into the page: take it from "
            "content/facts.yaml as {{name}}, so that it changes everywhere at once and says its source"
        )


def _check_review(page: Page, today: dt.date, report: Report) -> None:
    if page.review_due < today:
        report.errors.append(
            f"{display_path(page.path)}: its review was due on {page.review_due}: check every fact against its "
            "sources, then move reviewed and review_due on"
        )


def _check_translation_notice(page: Page, templates_dir: Path, report: Report) -> None:
    """A translation no translator has reviewed says so on the page: its layout must show the notice."""
    if page.lang == DEFAULT_LANGUAGE or page.translator_reviewed is not False:
        return
    layout = templates_dir / "advice" / f"{page.layout}.html"
    if TRANSLATION_NOTICE not in (layout.read_text(encoding="utf-8") if layout.exists() else ""):
        report.errors.append(
            f"{display_path(page.path)}: a translation awaiting review, shown by {display_path(layout)}, "
            f"which does not include {TRANSLATION_NOTICE}"
        )


def _check_redirects(path: Path, report: Report) -> None:
    """Each old address says why it goes where it goes: what the old page was about, and where that was seen."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    for part in ("pages", "sections"):
        for old, mapping in (data.get(part) or {}).items():
            if not (isinstance(mapping, list) and len(mapping) == 2 and all(str(item).strip() for item in mapping)):
                report.errors.append(
                    f"{display_path(path)}: {part}: {old} needs [new address, evidence]: what the old page was "
                    "about and where that was seen (or that it is unchecked, and why)"
                )


def _check_images(page: Page, report: Report) -> None:
    for image in page.images:
        if not image.alt.strip():
            report.errors.append(f"{display_path(page.path)}: image {image.src} has no alt text")


def _check_translation(page: Page, english: dict[str, Page], report: Report) -> None:
    where = display_path(page.path)
    if page.lang == DEFAULT_LANGUAGE:
        if page.translation_of is not None:
            report.errors.append(f"{where}: front matter field 'translation_of' is only for translations")
        return
    if page.translation_of is None or page.translator_reviewed is None:
        report.errors.append(
            f"{where}: a translation needs front matter fields 'translation_of' and 'translator_reviewed'"
        )
        return
    original = english.get(page.translation_of.page)
    if original is None or page.translation_of.page != page.slug:
        report.errors.append(
            f"{where}: front matter field 'translation_of' names '{page.translation_of.page}', "
            f"but the English page must be content/{DEFAULT_LANGUAGE}/{page.slug}.md"
        )
        return
    if page.translation_of.revision != original.revision:
        report.out_of_date.append(
            f"{where}: translates revision {page.translation_of.revision} of "
            f"{display_path(original.path)}, which is now {original.revision}"
        )
    if not page.translator_reviewed:
        report.awaiting_review.append(where)

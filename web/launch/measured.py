"""“How this site is measured”: the public figures page (GET, a date range) and the same figures as CSV.

Anyone can check what the privacy notice says is counted: the page shows the daily totals and says in
plain words what is and is not counted. The database is read off the event loop; a bad date gets the
GOV.UK error summary and the last 28 days, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from web.clock import BACKWARDS, BAD_DATE, TOO_LONG, DateRange, parse_range, utc_today
from web.content.forces import Force, load_forces
from web.launch.partner_feedback import ORGANISATIONS
from web.launch.public_figures import csv_text, summarise
from web.launch.satisfaction import ANSWERS
from web.shell.i18n import N_, translations
from web.shell.pages import render
from web.shell.site import language_of, site_of
from web.storage.figures import counts_between

PATH = "/{lang}/how-this-site-is-measured"
CACHE_CONTROL = "public, max-age=300"  # figures are added every few seconds; five minutes old is fine
PROBLEMS = {
    ("from", BAD_DATE): N_("Enter the start date as a real date, for example 2026-11-01"),
    ("to", BAD_DATE): N_("Enter the end date as a real date, for example 2026-11-28"),
    ("from", BACKWARDS): N_("The start date must be the same as or before the end date"),
    ("from", TOO_LONG): N_("Choose dates no more than a year apart"),
}
SOURCES = {
    "campaign": N_("A campaign tag (a poster’s QR code or a social media link)"),
    "search": N_("A search engine"),
    "social": N_("A social media site"),
    "other-site": N_("Another website"),
    "direct": N_("Typed in, bookmarked or from an app"),
}
NOT_A_FORCE = {"other": N_("Not a police force’s tag"), "none": N_("No police force named")}
OLD_ADDRESSES = {"other": N_("Any other old address (it goes to the home page)")}
MEDIA = {"poster": N_("Poster"), "social": N_("Social media"), "other": N_("Another tag"), "none": N_("No tag")}


def force_name(forces: Mapping[str, Force], slug: str, lang: str) -> str:
    """A campaign tag's force, by name; the tags that name no force (web/public/measurement.py) in words."""
    if slug in forces:
        return forces[slug].name_in(lang)
    return translations(lang).gettext(NOT_A_FORCE.get(slug, NOT_A_FORCE["other"]))


def _range(request: Request) -> tuple[DateRange, dict[str, str]]:
    rng, problems = parse_range(request.query_params, utc_today())
    gettext = translations(language_of(request)).gettext
    return rng, {field: gettext(PROBLEMS[(field, problem)]) for field, problem in problems.items()}


async def measured_page(request: Request) -> Response:
    lang = language_of(request)
    site = site_of(request)
    rng, errors = _range(request)
    figures = await run_in_threadpool(counts_between, site.engine, rng.first, rng.last)
    forces = load_forces(site.settings.content_dir / "forces.yaml")
    values = {name: request.query_params.get(name, "")[:20] for name in ("from", "to")}
    context: dict[str, Any] = {
        "board": summarise(rng, figures),
        "errors": errors,
        "values": values if errors else {"from": rng.first.isoformat(), "to": rng.last.isoformat()},
        "csv_url": f"{PATH.format(lang=lang)}/figures.csv?from={rng.first}&to={rng.last}",
        "source_names": SOURCES,
        "media_names": MEDIA,
        "force_name": lambda slug: force_name(forces, slug, lang),
        "answer_names": ANSWERS,
        "organisation_names": ORGANISATIONS,
        "old_address_names": OLD_ADDRESSES,
        "measuring": site.settings.measurement,
    }
    headers = {"Cache-Control": "no-store" if errors else CACHE_CONTROL}
    return render(request, "launch/measured.html", lang, status_code=400 if errors else 200, headers=headers, **context)


async def measured_csv(request: Request) -> Response:
    language_of(request)
    rng, errors = _range(request)
    if errors:
        return await measured_page(request)
    figures = await run_in_threadpool(counts_between, site_of(request).engine, rng.first, rng.last)
    filename = f"act-early-figures-{rng.first}-to-{rng.last}.csv"
    return Response(
        csv_text(figures),
        media_type="text/csv; charset=utf-8",
        headers={"Cache-Control": CACHE_CONTROL, "Content-Disposition": f'attachment; filename="{filename}"'},
    )

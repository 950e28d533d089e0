"""The Jinja environment: our templates first, then GOV.UK Frontend's macros; gettext per language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from babel.dates import format_date
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.templating import Jinja2Templates

from web.content.facts import Facts
from web.settings import ROOT, Settings
from web.shell import brand
from web.shell.assets import Assets
from web.shell.i18n import direction, translations

TEMPLATES = ROOT / "templates"


def _format(context: Context, text: str, variables: dict[str, Any]) -> str:
    # Variables are escaped unless they are already markup (a link built in the template).
    if context.eval_ctx.autoescape:
        return Markup(text) % variables if variables else Markup(text)
    return text % variables if variables else text


@pass_context
def _gettext(context: Context, message: str, **variables: Any) -> str:
    return _format(context, translations(context.get("lang", "en")).gettext(message), variables)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int, **variables: Any) -> str:
    text = translations(context.get("lang", "en")).ngettext(singular, plural, n)
    return _format(context, text, {"num": n, **variables})


def create_templates(settings: Settings, assets: Assets, facts: Facts) -> Jinja2Templates:
    environment = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Read once, like the content: pages rendered once are kept until a template changes, which in
        # production is a new release. With DEBUG on, an edited template shows at once (web/shell/rendered.py).
        auto_reload=settings.debug,
    )
    environment.filters["long_date"] = lambda day, lang: format_date(day, format="d MMMM y", locale=lang)
    # Canonical and hreflang links name the site's public address: search engines do not accept relative ones.
    environment.filters["absolute"] = lambda path: settings.public_base_url + path
    environment.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    environment.globals.update(
        asset_url=assets.url,
        brand=brand,
        facts=facts,
        direction=direction,
        exit_url="/exit",
        shared=_shared(environment),
    )
    return Jinja2Templates(env=environment)


SHARED_KEPT = 256  # parts kept: a few for each language; all forgotten when full


def _shared(environment: Environment) -> Callable[[Context, str], Markup]:
    """`{{ shared("partials/_footer.html") }}`: `{% include %}` for a part of the shell that is the same on
    every page of a language (the way out, the footer), rendered once for each language and each loaded
    content (`library` in the shell's context, web/shell/pages.py) instead of at every page. Search results
    and the concern form's questions, rendered for each request, spent 0.4 ms of their 2.6 on these two.
    While templates reload (DEBUG), rendered each time."""
    # By the library's identity (it is not hashable); the entry holds the library, so its id is not reused.
    kept: dict[tuple[str, str, int], tuple[object, Markup]] = {}

    @pass_context
    def shared(context: Context, name: str) -> Markup:
        template = environment.get_template(name)
        if environment.auto_reload:
            return Markup(template.render(context.get_all()))
        library = context["library"]
        key = (name, str(context["lang"]), id(library))
        found = kept.get(key)
        if found is None or found[0] is not library:
            if len(kept) >= SHARED_KEPT:
                kept.clear()
            found = kept[key] = (library, Markup(template.render(context.get_all())))
        return found[1]

    return shared

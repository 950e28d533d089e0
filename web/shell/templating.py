"""The Jinja environment: our templates first, then GOV.UK Frontend's macros; gettext per language."""

from __future__ import annotations

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
    )
    return Jinja2Templates(env=environment)

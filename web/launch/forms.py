"""What the launch's two feedback forms share: their token, their guard, and the screening of what people type.

Both are guarded like "Is this page useful?" (web/public/feedback.py): a signed form token from the
feedback key, a same-origin check, and the feedback limit per client an hour (one budget for every
feedback form, web/http/limits.py). Neither sets a cookie. What is kept goes through the feedback
comment path (web/storage/figures.py `store_feedback`): a count for the day and a page key, and the
comment, if any, with personal details taken out, in one transaction.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request

from web.http.forms import clean_text, read_form
from web.http.same_origin import is_same_origin
from web.shell.i18n import N_
from web.shell.site import site_of

NO_STORE = {"Cache-Control": "no-store"}
MAX_COMMENT = 1000
TOO_LONG = N_("Keep this to %(limit)d characters or fewer")


def new_token(request: Request) -> str:
    return site_of(request).feedback_tokens.issue()


async def read_guarded_form(request: Request, max_fields: int = 10) -> tuple[FormData, bool]:
    """The posted form and whether its token is still fresh; 403 for another site's post or a forged token."""
    if not is_same_origin(request.headers, request.headers.get("host", "")):
        raise HTTPException(status_code=403)
    site = site_of(request)
    form = await read_form(request, max_fields=max_fields, max_bytes=site.settings.max_body_bytes)
    token, fresh = site.feedback_tokens.read(str(form.get("token", "")))
    if token is None:
        raise HTTPException(status_code=403)
    return form, fresh


def text_field(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return clean_text(value if isinstance(value, str) else "", multiline=True)

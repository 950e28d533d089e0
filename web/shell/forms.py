"""What every form of the site says when its page has been open too long, or too much has been sent."""

from __future__ import annotations

from web.shell.i18n import N_

EXPIRED = N_("This page was open for a long time. Check your answers, then send them again.")
TOO_MANY = N_("You have sent several messages in the last hour. Wait an hour and try again, or call the support line.")

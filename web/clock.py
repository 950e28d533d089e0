"""The site's one clock: UTC. Dates kept anywhere (figures, a concern's received and closed days, the
retention purge) are UTC dates, so a server's own time zone never moves a day."""

from __future__ import annotations

import datetime as dt


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def utc_today() -> dt.date:
    return utc_now().date()

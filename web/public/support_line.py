"""Whether the ACT Early Support Line is open now, in UK time (9am to 5pm every day)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from web.clock import utc_now

LONDON = ZoneInfo("Europe/London")
OPENS = dt.time(9, 0)
CLOSES = dt.time(17, 0)


def is_open(now: dt.datetime | None = None) -> bool:
    local = (now or utc_now()).astimezone(LONDON)
    return OPENS <= local.time() < CLOSES

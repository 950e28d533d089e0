"""Routing by memory: the first route that answers a path, remembered.

Starlette's router tries its routes in order for every request, each a regular expression, and the
trailing-slash check (web/http/redirects.py) tries them all once more before it: an advice page, whose
route is the last, cost 80 matches a request, 45% of its time in the app (bench/app_vs_nginx.py). Every
route of the site matches on the path and the method alone (no Host, no Mount), so the route that first
matches a method and path in full is always the same one: `RememberingRouter` keeps it (a bounded number of
paths, forgotten all at once when full, so addresses made up by the thousand cost memory for nothing) and
asks only that route next time. What does not match in full (a 404, a 405) goes through Starlette's own
loop, as before.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Match, Router
from starlette.types import Receive, Scope, Send

REMEMBERED_PATHS = 4096


class RememberingRouter(Router):
    def __init__(self, *args: Any, remembered: int = REMEMBERED_PATHS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.remembered = remembered
        self.first: dict[tuple[str, str], BaseRoute] = {}

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            route = self.first_full_match(scope)
            if route is not None:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.setdefault("router", self)
                    scope["route"] = route
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        await super().app(scope, receive, send)

    def first_full_match(self, scope: Scope) -> BaseRoute | None:
        key = (scope["method"], scope["path"])
        route = self.first.get(key)
        if route is None:
            route = next((route for route in self.routes if route.matches(scope)[0] is Match.FULL), None)
            if route is not None:
                if len(self.first) >= self.remembered:
                    self.first.clear()
                self.first[key] = route
        return route

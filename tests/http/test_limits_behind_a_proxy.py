"""The limits behind the nginx example, as deployed (issue 15, item 1): `python -m web serve` with
FORWARDED_ALLOW_IPS naming nginx, a real nginx in front, and clients on their own loopback addresses.

Before the fix every request reached the app from nginx's address, so ten concerns from anyone refused the
eleventh person in the country.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn

from testing.forms import answers_for, reference_on, token_in
from testing.live_server import logged_site
from testing.nginx import nginx_binary, nginx_in_front, request_from
from web.cli import run_server
from web.ops.export import nginx_config
from web.settings import Settings, SettingsError

CONCERNS_PER_HOUR = 10
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, int]]:
    """(nginx's port, the app's port): the site trusting X-Forwarded-For from nginx (127.0.0.1) alone."""
    if nginx_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed: .ci/run installs it (apt-get install nginx)")
        pytest.skip("nginx is not installed here (apt-get install nginx); CI runs this test")
    folder = tmp_path_factory.mktemp("behind-nginx")
    empty_root = folder / "export"  # nothing exported: nginx sends every request to the app
    empty_root.mkdir()
    environment = {"FORWARDED_ALLOW_IPS": "127.0.0.1", "SUBMISSIONS_PER_HOUR": str(CONCERNS_PER_HOUR)}
    with logged_site(folder / "site", **environment) as site:
        upstream = urlsplit(site.url).netloc
        with nginx_in_front(empty_root, upstream, folder / "nginx") as port:
            yield port, int(upstream.rsplit(":", 1)[1])


def send_concern(source: str, port: int, headers: dict[str, str] | None = None) -> int:
    """Fetch the form and send a whole concern from `source`; 200 (with a reference) when it was stored."""
    status, page = request_from(source, port, "GET", "/en/share-a-concern/questions")
    assert status == 200, page[:300]
    form = {"token": token_in(page), "step": "check", "danger": "no", **answers_for("PROXY")}
    status, page = request_from(
        source, port, "POST", "/en/share-a-concern", form=form, headers=SAME_SITE | (headers or {})
    )
    assert (status == 200) == (reference_on(page) is not None), (status, page[:300])
    return status


def test_behind_nginx_each_client_has_its_own_allowance_and_one_client_alone_is_limited(
    deployed: tuple[int, int],
) -> None:
    nginx, _ = deployed
    clients = [f"127.0.0.{n}" for n in range(2, 2 + CONCERNS_PER_HOUR + 1)]  # eleven people
    assert [send_concern(client, nginx) for client in clients] == [200] * len(clients)
    first = clients[0]
    more = [send_concern(first, nginx) for _ in range(CONCERNS_PER_HOUR)]
    assert more == [200] * (CONCERNS_PER_HOUR - 1) + [429]  # its own ten, then refused
    assert send_concern(clients[1], nginx) == 200  # nobody else is
    # What the client says it is, nginx replaces with the address it came from.
    assert send_concern(first, nginx, {"X-Forwarded-For": "198.51.100.7"}) == 429


def test_a_spoofed_forwarded_for_from_a_peer_that_is_not_the_proxy_changes_nothing(deployed: tuple[int, int]) -> None:
    _, app = deployed
    direct = "127.0.0.40"  # straight to the app, not through nginx: not in FORWARDED_ALLOW_IPS
    spoofed = [send_concern(direct, app, {"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(CONCERNS_PER_HOUR + 1)]
    assert spoofed == [200] * CONCERNS_PER_HOUR + [429]
    assert send_concern(direct, app, {"X-Forwarded-For": "127.0.0.1"}) == 429


# --- The setting, the server and the example -----------------------------------------------------------


def test_no_proxy_is_trusted_unless_forwarded_allow_ips_names_it() -> None:
    assert Settings.from_env({}).forwarded_allow_ips == ()
    named = Settings.from_env({"FORWARDED_ALLOW_IPS": "127.0.0.1, 10.0.0.0/8,::1"})
    assert named.forwarded_allow_ips == ("127.0.0.1/32", "10.0.0.0/8", "::1/128")


@pytest.mark.parametrize("value", ["*", "nginx", "10.0.0.0/33"])
def test_forwarded_allow_ips_refuses_what_is_not_an_address_or_a_network(value: str) -> None:
    with pytest.raises(SettingsError, match="FORWARDED_ALLOW_IPS must list IP addresses or networks"):
        Settings.from_env({"FORWARDED_ALLOW_IPS": value})


def test_the_server_reads_x_forwarded_for_only_from_the_proxies_named(monkeypatch: pytest.MonkeyPatch) -> None:
    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: captured.update(kwargs))
    run_server("web.app:create_app", "test", "127.0.0.1", 0, Settings())
    assert captured["proxy_headers"] is False  # uvicorn's own default trusts 127.0.0.1 and ::1
    run_server("web.app:create_app", "test", "127.0.0.1", 0, Settings.from_env({"FORWARDED_ALLOW_IPS": "10.1.2.3"}))
    assert (captured["proxy_headers"], captured["forwarded_allow_ips"]) == (True, ["10.1.2.3/32"])


def test_the_nginx_example_sends_the_address_the_client_connected_from_and_nothing_the_client_said() -> None:
    config = nginx_config(Path("/srv/act-early"))
    assert config.count("proxy_set_header X-Forwarded-For $remote_addr;") == config.count("proxy_pass ") == 3
    assert "$proxy_add_x_forwarded_for" not in config  # that would pass on the client's own header

"""An export after an upgrade (issue 19, item 5): the earlier build's hashed assets stay in the export, so
pages still cached that link them keep working; an asset the export lacks is the app's (the nginx example,
tests/ops/test_nginx_example.py)."""

from __future__ import annotations

from pathlib import Path

from testing.settings import settings_in
from web.app import create_app
from web.ops.export import export_site
from web.shell.site import site_of_app


def test_exporting_again_keeps_the_earlier_build_s_assets_beside_the_new_ones(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    app = create_app(settings)
    out = tmp_path / "export"
    export_site(settings, out, app=app)
    earlier = out / "assets" / "site.0ld0ld0ld0.css"
    earlier.write_text("body{}")
    (out / "stale-page.html").write_text("gone")
    export_site(settings, out, app=app)
    assert earlier.read_text() == "body{}"
    assert not (out / "stale-page.html").exists()
    for hashed in site_of_app(app).assets.manifest.values():
        assert (out / "assets" / hashed).is_file(), hashed
    assert not list(tmp_path.glob("*.assets-kept"))

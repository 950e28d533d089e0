"""`python -m web …`: serve the site, build its assets, check its content."""

from __future__ import annotations

import argparse
import logging
import sys

from web.settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web", description="ACT Early web")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the public site (HOST, PORT from the environment)")
    serve.add_argument("--workers", type=int, default=1)
    commands.add_parser("build", help="build the CSS, JavaScript and icons into static/dist")
    content = commands.add_parser("content", help="work with the Markdown content")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_commands.add_parser("check", help="check every content file; exit 1 on a problem")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return serve_site(settings, workers=args.workers)
    if args.command == "build":
        return build(settings)
    return check_content(settings)


def serve_site(settings: Settings, *, workers: int) -> int:
    import uvicorn

    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    print(f"ACT Early web on http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        access_log=False,  # uvicorn's access log records IP addresses; web.access_log does not
        server_header=False,
        proxy_headers=False,
        log_level=settings.log_level,
        timeout_keep_alive=5,
    )
    return 0


def build(settings: Settings) -> int:
    from web.assets import AssetError, build_assets

    try:
        manifest = build_assets(settings.static_dist_dir)
    except AssetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for name, hashed in manifest.items():
        print(f"{name:>12} -> {hashed}")
    return 0


def check_content(settings: Settings) -> int:
    from web.content import ContentError, load_library

    try:
        library = load_library(settings.content_dir)
    except ContentError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{len(library)} pages in {', '.join(library.languages)}: content is valid")
    return 0

"""Front-end assets: build them from the npm packages, then serve them by content hash.

`build_assets` compiles the Sass and bundles the JavaScript with the tools installed by npm,
names each file by a hash of its content, precompresses it (brotli and gzip) and writes
`manifest.json`, which maps a logical name (`app.css`) to its hashed file (`app.3f9a1c2b.css`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import brotli
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from web.settings import ROOT
from web.shell import brand

SOURCES = ROOT / "static"
NODE_BIN = ROOT / "node_modules" / ".bin"
IMMUTABLE = "public, max-age=31536000, immutable"
MEDIA_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".png": "image/png",
}
COMPRESSIBLE = (".css", ".js", ".svg")


class AssetError(RuntimeError):
    """The assets are not built, or the build failed."""


def build_assets(dist: Path) -> dict[str, str]:
    """Build every asset into `dist` and return the manifest."""
    work = dist / ".work"
    shutil.rmtree(dist, ignore_errors=True)
    work.mkdir(parents=True)
    (work / "_brand.scss").write_text(brand.scss(), encoding="utf-8")
    _run(
        "sass",
        "--pkg-importer=node",
        f"--load-path={work}",
        "--style=compressed",
        "--no-source-map",
        "--quiet-deps",
        str(SOURCES / "scss" / "app.scss"),
        str(work / "app.css"),
    )
    for image in sorted((SOURCES / "images").glob("*")):
        shutil.copyfile(image, work / image.name)
    manifest = {}
    for built in sorted(path for path in work.iterdir() if path.is_file() and not path.name.startswith("_")):
        manifest[built.name] = _publish(built, dist)
    manifest.update(_bundle_scripts(work / "js", dist))
    shutil.rmtree(work)
    (dist / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def _bundle_scripts(out: Path, dist: Path) -> dict[str, str]:
    """Bundle each entry point on its own. Pages load only what they use: every page loads app.js
    (3.7 KB brotli); form pages add forms.js, the search page htmx.js. Splitting shared code into a
    chunk would cost every advice page an extra request and more bytes, to save them on form pages.
    """
    manifest = {}
    for entry in sorted((SOURCES / "js").glob("*.mjs")):
        built = out / f"{entry.stem}.js"
        _run(
            "esbuild",
            str(entry),
            "--bundle",
            "--minify",
            "--format=esm",
            "--target=es2020",
            "--legal-comments=none",
            f"--outfile={built}",
        )
        manifest[built.name] = _publish(built, dist)
    return manifest


def _run(tool: str, *args: str) -> None:
    executable = NODE_BIN / tool
    if not executable.exists():
        raise AssetError(f"{executable} is missing: run `npm ci` first (the Makefile does)")
    result = subprocess.run([str(executable), *args], cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssetError(f"{tool} failed:\n{result.stdout}{result.stderr}")


def _publish(path: Path, dist: Path) -> str:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:10]
    name = f"{path.stem}.{digest}{path.suffix}"
    (dist / name).write_bytes(data)
    if path.suffix in COMPRESSIBLE:
        (dist / f"{name}.br").write_bytes(brotli.compress(data, quality=11))
        (dist / f"{name}.gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return name


class Assets:
    """The built assets: URLs for templates, and the route that serves them."""

    prefix = "/assets/"

    def __init__(self, dist: Path) -> None:
        manifest_path = dist / "manifest.json"
        if not manifest_path.exists():
            raise AssetError(f"{manifest_path} is missing: run `python -m web build` (make run does)")
        self.dist = dist
        self.manifest: dict[str, str] = json.loads(manifest_path.read_text())
        self.files = frozenset(self.manifest.values())

    def url(self, name: str) -> str:
        return self.prefix + self.manifest[name]

    def path(self, name: str) -> Path:
        return self.dist / self.manifest[name]

    async def serve(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.files:
            raise HTTPException(status_code=404)  # the app's own not-found page
        suffix = Path(name).suffix
        headers = {"Cache-Control": IMMUTABLE, "ETag": f'"{name}"', "Vary": "Accept-Encoding"}
        if request.headers.get("if-none-match") == headers["ETag"]:
            return Response(status_code=304, headers=headers)
        path = self.dist / name
        if suffix in COMPRESSIBLE:
            accepted = request.headers.get("accept-encoding", "")
            for encoding, extension in (("br", ".br"), ("gzip", ".gz")):
                if encoding in accepted:
                    headers["Content-Encoding"] = encoding
                    path = self.dist / f"{name}{extension}"
                    break
        return Response(path.read_bytes(), media_type=MEDIA_TYPES.get(suffix), headers=headers)

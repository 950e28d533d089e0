"""Stand-in films, built from the scripts until filmed versions exist (docs/adr/0007-stand-in-films.md).

For each film and language: espeak-ng says each line; the narration's timings come from the
synthesised audio itself; Pillow draws a slide per line and the poster; ffmpeg makes a standard and
a low-data MP4 (H.264 + AAC, faststart). The captions, the other language's subtitles and the audio
description track are written from the same lines and timings. Each film also has an audio-described
version (WCAG 1.2.5): a describer's voice says what is seen before each line, and the slide holds
while it does (extended description), so nothing is talked over. Files are named by a hash of their
content and listed in `films.json`; a build is skipped when the scripts, the code and fonts they are
made with and the tools have not changed.

    python -m web films build [--force]
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from web.content import films as film_content
from web.content.films import FILMS_DIR, MANIFEST, SCRIPTS_DIR, Film, FilmLibrary, Script, load_films
from web.shell import brand
from web.shell.brand import PURPLE, WHITE

FONTS = Path("/usr/share/fonts/truetype/dejavu")
SIZE = (640, 360)
FPS = 2  # slides change at most twice a second: tiny files, fast builds
LEAD, GAP, TAIL = 0.6, 0.7, 1.5  # seconds of silence before the first line, between lines, after the last
SPEED = 150  # espeak-ng words a minute (its default, 175, is hard to follow)
VOICES = {"en": "en-gb", "cy": "cy"}
# The audio-described version: the describer's voice variant (the speakers use f3 and m3; f4 has no
# breathiness and another formant), and the pause between a description and the line it comes before.
DESCRIBER = "f4"
DESCRIPTION_GAP = 0.5
# Words the synthesiser says wrongly as written (spoken audio only; captions keep the written form).
# The lines have a `spoken` field for this; the descriptions have none, so their times are here too.
PRONUNCIATIONS = {
    "en": {"ACT Early": "Act Early"},
    "cy": {
        "ACT Early": "Act Yrli",
        "Channel": "Tsianel",
        "Prevent": "Prifent",
        "9am i 5pm": "naw y bore a phump y prynhawn",
    },
}
BRAND_LINES = {
    "en": ("ACT Early · Counter Terrorism Policing", "Stand-in film"),
    "cy": ("ACT Early · Plismona Gwrthderfysgaeth", "Ffilm dros dro"),
}
# On the described version's poster, above the title, so the two players do not look the same.
DESCRIBED_POSTER = {"en": "With audio description", "cy": "Gyda disgrifiad sain"}
CAPTION_LIMIT = 74  # characters a cue: two lines of at most 42
CAPTION_LINE = 42


@dataclass(frozen=True)
class RenditionSpec:
    name: str
    width: int
    height: int
    crf: int
    maxrate: str
    audio: str  # AAC bit rate, mono
    sample_rate: int


RENDITIONS = (
    RenditionSpec("standard", 640, 360, crf=28, maxrate="200k", audio="48k", sample_rate=22050),
    RenditionSpec("low", 426, 240, crf=34, maxrate="60k", audio="16k", sample_rate=16000),
)


class FilmBuildError(RuntimeError):
    """A tool is missing or failed."""


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    voice: str | None = None


# Captions: pure functions of the lines and their timings -----------------------------------------


def caption_chunks(text: str, limit: int = CAPTION_LIMIT) -> list[str]:
    """Split a line into cues of at most `limit` characters, at sentence ends, then commas, then words.
    Joined with spaces, the chunks give back the line."""
    pieces: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
        if len(sentence) <= limit:
            pieces.append(sentence)
            continue
        for clause in _merge(re.split(r"(?<=,)\s+", sentence), limit):
            pieces.extend(textwrap.wrap(clause, limit) if len(clause) > limit else [clause])
    return _merge(pieces, limit)


def _merge(pieces: Sequence[str], limit: int) -> list[str]:
    merged: list[str] = []
    for piece in pieces:
        if merged and len(merged[-1]) + 1 + len(piece) <= limit:
            merged[-1] += " " + piece
        else:
            merged.append(piece)
    return merged


def line_cues(texts: Sequence[str], spans: Sequence[tuple[float, float]], voices: Sequence[str | None]) -> list[Cue]:
    """One or more cues per line, sharing the line's time in proportion to their length."""
    cues = []
    for text, (start, end), voice in zip(texts, spans, voices, strict=True):
        chunks = caption_chunks(text)
        total = sum(len(chunk) + 1 for chunk in chunks)
        at = start
        for chunk in chunks:
            until = min(end, at + (end - start) * (len(chunk) + 1) / total)
            cues.append(Cue(round(at, 3), round(until, 3), chunk, voice))
            at = until
    return cues


def timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    return f"{hours:02d}:{minutes:02d}:{millis // 1000:02d}.{millis % 1000:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(cues: Sequence[Cue], note: str) -> str:
    blocks = ["WEBVTT", f"NOTE {note}"]
    for cue in cues:
        lines = "\n".join(textwrap.wrap(_escape(cue.text), CAPTION_LINE))
        body = f"<v {_escape(cue.voice)}>{lines}</v>" if cue.voice else lines
        blocks.append(f"{timestamp(cue.start)} --> {timestamp(cue.end)}\n{body}")
    return "\n\n".join(blocks) + "\n"


def slide_spans(spans: Sequence[tuple[float, float]], total: float) -> list[tuple[float, float]]:
    """Each line's slide: from the line's start (the first from 0) until the next line starts."""
    starts = [0.0, *(start for start, _ in spans[1:])]
    return list(zip(starts, [*starts[1:], total], strict=True))


# Narration ----------------------------------------------------------------------------------------


def spoken_text(text: str, lang: str) -> str:
    for written, said in PRONUNCIATIONS.get(lang, {}).items():
        text = text.replace(written, said)
    return text


@dataclass(frozen=True)
class Narration:
    """When each line is said, and in the described version when each line's description is said."""

    lines: list[tuple[float, float]]
    descriptions: list[tuple[float, float]]  # empty in the standard version
    total: float

    def slides(self) -> list[tuple[float, float]]:
        """Each line's slide: from its description (the described version) or the line, until the next."""
        return slide_spans(self.descriptions or self.lines, self.total)


NUMBER = re.compile(r"(?<!\w)\d+(?: \d+)*(?!\w)")


def digit_by_digit(number: str) -> str:
    """A number as the scripts' `spoken` fields say it: "0800 011 3764" as "0 8 0 0, 0 1 1, 3 7 6 4"."""
    return ", ".join(" ".join(group) for group in number.split())


def description_speech(film: Film, lang: str) -> list[str]:
    """What the describer says for each line: its description, with the numbers the script's own lines
    say digit by digit (their `spoken` forms: phone numbers) said the same way, and the respellings."""
    lines = film.scripts[lang].lines
    by_digit = {
        match.group()
        for line in lines
        if line.spoken
        for match in NUMBER.finditer(line.text)
        if digit_by_digit(match.group()) in line.spoken
    }
    said = [
        NUMBER.sub(lambda m: digit_by_digit(m.group()) if m.group() in by_digit else m.group(), line.audio_description)
        for line in lines
    ]
    return [spoken_text(text, lang) for text in said]


def _say(voice: str, text: str, path: Path) -> tuple[bytes, int, int]:
    """espeak-ng's WAV of `text` (made once a path): its frames, frame rate and sample width."""
    if not path.exists():
        _run("espeak-ng", "-v", voice, "-s", str(SPEED), "-w", str(path), text)
    with wave.open(str(path)) as clip:
        return clip.readframes(clip.getnframes()), clip.getframerate(), clip.getsampwidth()


def narrate(film: Film, lang: str, work: Path, *, described: bool = False) -> Narration:
    """Say every line (after its description, when `described`) into work/narration.wav; the clips are
    kept in work/../clips, so the two versions share them."""
    clips = work.parent / "clips"
    clips.mkdir(exist_ok=True)
    descriptions = description_speech(film, lang) if described else []
    frames: list[bytes] = []
    spans: list[tuple[float, float]] = []
    described_spans: list[tuple[float, float]] = []
    rate, width, position = 0, 2, 0

    def add(silence: float, clip: tuple[bytes, int, int]) -> tuple[float, float]:
        nonlocal rate, width, position
        data, rate, width = clip
        frames.extend([b"\0" * round(silence * rate) * width, data])
        position += round(silence * rate)
        start = position / rate
        position += len(data) // width
        return start, position / rate

    for number, line in enumerate(film.scripts[lang].lines):
        pause = LEAD if number == 0 else GAP
        if described:
            voice = f"{VOICES[lang]}+{DESCRIBER}"
            described_spans.append(
                add(pause, _say(voice, descriptions[number], clips / f"description-{number:03d}.wav"))
            )
            pause = DESCRIPTION_GAP
        voice = f"{VOICES[lang]}+{film.voices[line.speaker_name]}"
        text = spoken_text(line.spoken or line.text, lang)
        spans.append(add(pause, _say(voice, text, clips / f"line-{number:03d}.wav")))
    tail = round(TAIL * rate)
    frames.append(b"\0" * tail * width)
    with wave.open(str(work / "narration.wav"), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(b"".join(frames))
    return Narration(spans, described_spans, (position + tail) / rate)


# Slides -------------------------------------------------------------------------------------------


def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.exists():
        raise FilmBuildError(f"{path} is missing: install Debian's fonts-dejavu-core")
    return ImageFont.truetype(str(path), size)


def _wrapped(draw: ImageDraw.ImageDraw, text: str, width: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size, from 40 px down, at which `text` fits `width` in at most three lines."""
    for size in range(40, 18, -2):
        font = _font(size, bold=True)
        lines: list[str] = []
        for word in text.split():
            if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
                lines[-1] += f" {word}"
            else:
                lines.append(word)
        if len(lines) <= 3 and all(draw.textlength(line, font=font) <= width for line in lines):
            return font, lines
    return font, lines


def draw_slide(path: Path, lang: str, words: str, speaker: str = "", *, colours: int | None = None) -> None:
    """White on the brand purple: the brand line at the top, the speaker, then the slide's words.
    The lower part is left clear for the captions the browser draws over the video. With `colours`,
    the image is saved with that many colours (the poster: 6 KB as a 16-colour PNG, 20 KB as a JPEG)."""
    image = Image.new("RGB", SIZE, PURPLE)
    draw = ImageDraw.Draw(image)
    brand, stand_in = BRAND_LINES[lang]
    small = _font(15)
    draw.text((32, 22), brand, font=small, fill=WHITE)
    draw.text((SIZE[0] - 32 - draw.textlength(stand_in, font=small), 22), stand_in, font=small, fill=WHITE)
    draw.line((32, 50, SIZE[0] - 32, 50), fill=WHITE, width=2)
    if speaker:
        draw.text((32, 70), speaker, font=_font(18), fill=WHITE)
    font, lines = _wrapped(draw, words, SIZE[0] - 64)
    y = 112
    for text in lines:
        draw.text((32, y), text, font=font, fill=WHITE)
        y += int(font.size * 1.25)
    if colours:
        image = image.convert("P", palette=Image.Palette.ADAPTIVE, colors=colours)
    image.save(path, optimize=True)


# Encoding -----------------------------------------------------------------------------------------


def _run(*command: str) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise FilmBuildError(f"{command[0]} is missing: {INSTALL}") from None
    if result.returncode != 0:
        raise FilmBuildError(f"{' '.join(command[:3])}… failed:\n{result.stderr[-2000:]}")


INSTALL = "install Debian's ffmpeg and espeak-ng (as root: apt-get install ffmpeg espeak-ng; `make` does)"
BITEXACT = ("-map_metadata", "-1", "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact")


def encode(work: Path, spec: RenditionSpec, total: float) -> Path:
    out = work / f"{spec.name}.mp4"
    _run(
        "ffmpeg", "-nostdin", "-v", "error", "-y",
        "-f", "concat", "-safe", "0", "-i", str(work / "slides.txt"), "-i", str(work / "narration.wav"),
        "-map", "0:v", "-map", "1:a", "-t", f"{total:.3f}",
        "-vf", f"fps={FPS},scale={spec.width}:{spec.height}:flags=lanczos,format=yuv420p",
        "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-profile:v", "main",
        "-crf", str(spec.crf), "-maxrate", spec.maxrate, "-bufsize", spec.maxrate, "-g", str(FPS * 20),
        "-c:a", "aac", "-aac_coder", "fast", "-b:a", spec.audio, "-ac", "1", "-ar", str(spec.sample_rate),
        "-movflags", "+faststart", *BITEXACT, str(out),
    )  # fmt: skip
    return out


def caption_cues(script: Script, narration: Narration) -> list[Cue]:
    """The script's lines as cues at the narration's times; in the described version, each line's
    description first, in brackets as in the transcript (it is part of the soundtrack)."""
    cues = line_cues([line.text for line in script.lines], narration.lines, [line.speaker for line in script.lines])
    if narration.descriptions:
        texts = [f"[{line.audio_description}]" for line in script.lines]
        cues += line_cues(texts, narration.descriptions, [None] * len(texts))
    return sorted(cues, key=lambda cue: cue.start)


def build_version(film: Film, lang: str, work: Path, slides: Sequence[Path], *, described: bool) -> dict[str, Any]:
    """The standard or the described version of one film in one language, in `work`: its narration,
    renditions and tracks (the described version's descriptions are in its soundtrack and captions)."""
    work.mkdir(parents=True)
    narration = narrate(film, lang, work, described=described)
    listing = []
    for slide, (start, end) in zip(slides, narration.slides(), strict=True):
        listing += [f"file '{slide}'", f"duration {end - start:.3f}"]
    listing.append(listing[-2])  # the concat demuxer needs the last file again to honour its duration
    (work / "slides.txt").write_text("\n".join(listing) + "\n")
    tracks = {}
    source = f"made from content/films/{film.slug}.yaml by python -m web films build; do not edit"
    for other, other_script in film.scripts.items():
        kind = "captions" if other == lang else "subtitles"
        tracks[(kind, other)] = webvtt(caption_cues(other_script, narration), source)
    if not described:
        script = film.scripts[lang]
        descriptions = [Cue(round(a, 3), round(b, 3), line.audio_description) for (a, b), line in zip(
            narration.slides(), script.lines, strict=True)]  # fmt: skip
        tracks[("descriptions", lang)] = webvtt(descriptions, source)
    for (kind, track_lang), text in tracks.items():
        (work / f"{kind}-{track_lang}.vtt").write_text(text, encoding="utf-8")
    renditions = [(spec, encode(work, spec, narration.total)) for spec in RENDITIONS]
    return {
        "duration": round(narration.total, 3),
        "renditions": [
            {"name": spec.name, "file": path, "width": spec.width, "height": spec.height, "type": "video/mp4"}
            for spec, path in renditions
        ],
        "tracks": [
            {"kind": kind, "srclang": track_lang, "file": work / f"{kind}-{track_lang}.vtt"}
            for kind, track_lang in tracks
        ],
    }


def build_one(film: Film, lang: str, work: Path) -> dict[str, Any]:
    """Everything for one film in one language, in `work`; returns its manifest entry (files unhashed):
    the standard version and its poster, and under "described" the audio-described version and its own."""
    work.mkdir(parents=True)
    script = film.scripts[lang]
    slides = []
    for number, line in enumerate(script.lines):
        slides.append(work / f"slide-{number:03d}.png")
        draw_slide(slides[-1], lang, line.slide, line.speaker)
    poster, described_poster = work / "poster.png", work / "poster-described.png"
    draw_slide(poster, lang, script.title, colours=16)
    draw_slide(described_poster, lang, script.title, DESCRIBED_POSTER[lang], colours=16)
    standard = build_version(film, lang, work / "standard", slides, described=False)
    described = build_version(film, lang, work / "described", slides, described=True)
    return {**standard, "poster": poster, "described": {**described, "poster": described_poster}}


# The whole build ----------------------------------------------------------------------------------


def _tool_versions() -> str:
    versions = []
    for command in (("ffmpeg", "-version"), ("espeak-ng", "--version")):
        if shutil.which(command[0]) is None:
            raise FilmBuildError(f"{command[0]} is missing: {INSTALL}")
        output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
        versions.append(output.splitlines()[0] if output else command[0])
    return "\n".join(versions)


def build_inputs() -> list[Path]:
    """Besides the scripts, what a film is made with: the code that reads and builds them, the brand's
    colours and the fonts. A change to any of them (or to the tools' versions) makes a new build."""
    fonts = [FONTS / "DejaVuSans.ttf", FONTS / "DejaVuSans-Bold.ttf"]
    return [
        Path(__file__),
        Path(film_content.__file__),
        Path(brand.__file__),
        *(font for font in fonts if font.exists()),
    ]


def source_hash(scripts_dir: Path) -> str:
    """What the films are made from: the scripts, `build_inputs()`, the tools."""
    digest = hashlib.sha256(_tool_versions().encode())
    for path in [*sorted(scripts_dir.glob("*.yaml")), *build_inputs()]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def is_current(out_dir: Path, key: str) -> bool:
    manifest = FilmLibrary((), out_dir).manifest()
    return manifest.get("source") == key and all((out_dir / name).is_file() for name in manifest.get("files", []))


def _publish(path: Path, out_dir: Path, prefix: str) -> tuple[str, int]:
    data = path.read_bytes()
    name = f"{prefix}.{hashlib.sha256(data).hexdigest()[:10]}{path.suffix}"
    if not (out_dir / name).exists():
        temporary = out_dir / f".{name}.tmp"
        temporary.write_bytes(data)
        temporary.replace(out_dir / name)
    return name, len(data)


def _publish_version(version: dict[str, Any], out_dir: Path, prefix: str) -> list[str]:
    """Publish a version's poster, renditions and tracks (in place: their paths become names)."""
    version["poster"], _ = _publish(version["poster"], out_dir, f"{prefix}-poster")
    files = [version["poster"]]
    for item in [*version["renditions"], *version["tracks"]]:
        label = item["name"] if "name" in item else f"{item['kind']}-{item['srclang']}"
        item["file"], item["bytes"] = _publish(item["file"], out_dir, f"{prefix}-{label}")
        files.append(item["file"])
    return files


def _publish_entry(entry: dict[str, Any], out_dir: Path, prefix: str) -> tuple[dict[str, Any], list[str]]:
    files = _publish_version(entry, out_dir, prefix)
    files += _publish_version(entry["described"], out_dir, f"{prefix}-described")
    return entry, files


def build_films(
    out_dir: Path = FILMS_DIR,
    scripts_dir: Path = SCRIPTS_DIR,
    *,
    force: bool = False,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Build every film into `out_dir`, unless what they are made from has not changed. Returns the manifest."""
    key = source_hash(scripts_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not force and is_current(out_dir, key):
        log(f"films are up to date in {out_dir}")
        return FilmLibrary((), out_dir).manifest()
    started = time.monotonic()
    films = load_films(scripts_dir)
    jobs = [(film, lang) for film in films for lang in film.languages]
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".work-") as work_dir:
        work = Path(work_dir)
        with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
            futures = [pool.submit(build_one, film, lang, work / f"{film.slug}-{lang}") for film, lang in jobs]
            entries = [future.result() for future in futures]
        manifest: dict[str, Any] = {"source": key, "films": {}, "files": []}
        for (film, lang), entry in zip(jobs, entries, strict=True):
            published, files = _publish_entry(entry, out_dir, f"{film.slug}-{lang}")
            manifest["files"] += files
            film_entry = manifest["films"].setdefault(film.slug, {"revision": film.revision, "languages": {}})
            film_entry["languages"][lang] = published
    manifest["build_seconds"] = round(time.monotonic() - started, 1)
    temporary = out_dir / f".{MANIFEST}.tmp"
    temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(out_dir / MANIFEST)
    for stale in out_dir.iterdir():
        if stale.is_file() and stale.name != MANIFEST and stale.name not in manifest["files"]:
            stale.unlink()
    log(f"built {len(jobs)} films in {manifest['build_seconds']} s into {out_dir}")
    return manifest


def describe(manifest: dict[str, Any]) -> str:
    """A table of every rendition's length and size, standard then audio-described, and the build's time."""
    rows = []
    for slug, film in manifest.get("films", {}).items():
        for lang, entry in film["languages"].items():
            for version, label in ((entry, ""), (entry.get("described"), "described ")):
                for item in version["renditions"] if version else ():
                    rate = item["bytes"] * 8 / version["duration"] / 1000
                    rows.append(
                        f"{slug:<22} {lang:<3} {label + item['name']:<18} {item['width']}x{item['height']:<4}"
                        f" {version['duration']:6.1f} s {item['bytes'] / 1000:8.1f} KB {rate:6.1f} kbit/s"
                    )
    if "build_seconds" in manifest:
        rows.append(f"built in {manifest['build_seconds']} s")
    return "\n".join(rows)


def run(*, force: bool = False, out_dir: Path = FILMS_DIR) -> int:
    """`python -m web films build`: build, print the sizes, and exit 0, or say what is missing and exit 1."""
    try:
        manifest = build_films(out_dir, force=force)
    except FilmBuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(describe(manifest))
    return 0

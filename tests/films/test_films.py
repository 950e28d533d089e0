"""The films: scripts, captions made from the same lines as the transcript, the audio-described
versions, the pages and the media route.

The build's tools (espeak-ng, ffmpeg) are replaced by fakes here, so these tests stay fast and need
neither; a11y_tests/test_films.py builds the real films and plays them in Chromium.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import shutil
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.testclient import TestClient

from testing.settings import change_site
from web.app import create_app
from web.content import films
from web.content.films import FilmError, FilmLibrary, load_film, load_films
from web.content.readability import MAXIMUM_AVERAGE_GRADE, readability
from web.films import build as film_build
from web.films.build import FilmBuildError, Narration, RenditionSpec, build_films, caption_chunks
from web.films.routes import MEDIA_PREFIX
from web.settings import Settings

FILMS = load_films()
FILM_LANGUAGES = [(film.slug, lang) for film in FILMS for lang in film.languages]
TIMESTAMP = r"(\d{2}):(\d{2}):(\d{2})\.(\d{3})"
CUE_TIMING = re.compile(rf"^{TIMESTAMP} --> {TIMESTAMP}$")
VIDEO_BYTES = bytes(range(256)) * 64  # what the fake encoder writes: 16 KB of known bytes
REAL_TOOL_VERSIONS = film_build._tool_versions
REAL_NARRATE = film_build.narrate  # the module's fake_tools fixture replaces it


def fake_narrate(film: films.Film, lang: str, work: Path, *, described: bool = False) -> Narration:
    """Stands in for espeak-ng: a line lasts 60 ms a character and a description 50 ms, with the
    build's own gaps."""
    lines, descriptions, at = [], [], film_build.LEAD
    for line in film.scripts[lang].lines:
        if described:
            descriptions.append((at, at + 0.05 * len(line.audio_description)))
            at = descriptions[-1][1] + film_build.DESCRIPTION_GAP
        lines.append((at, at + 0.06 * len(line.text)))
        at = lines[-1][1] + film_build.GAP
    return Narration(lines, descriptions, lines[-1][1] + film_build.TAIL)


def fake_encode(work: Path, spec: RenditionSpec, total: float) -> Path:
    """Stands in for ffmpeg: known bytes, fewer for the low rendition; the described version (built in
    a folder of that name) half as many again."""
    out = work / f"{spec.name}.mp4"
    data = VIDEO_BYTES if spec.name == "standard" else VIDEO_BYTES[:4096]
    out.write_bytes(data + data[: len(data) // 2] if work.name == "described" else data)
    return out


def fake_slide(path: Path, lang: str, words: str, speaker: str = "", *, colours: int | None = None) -> None:
    path.write_bytes(f"{lang}:{words}:{speaker}".encode())


@pytest.fixture(scope="module")
def fake_tools() -> Iterator[list[str]]:
    """The build with its tools replaced; yields a list the fakes record each film language built into."""
    built: list[str] = []
    real_build_one = film_build.build_one

    def recording_build_one(film: films.Film, lang: str, work: Path) -> dict[str, Any]:
        built.append(f"{film.slug}-{lang}")
        return real_build_one(film, lang, work)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(film_build, "_tool_versions", lambda: "fake ffmpeg\nfake espeak-ng")
        patch.setattr(film_build, "narrate", fake_narrate)
        patch.setattr(film_build, "encode", fake_encode)
        patch.setattr(film_build, "draw_slide", fake_slide)
        patch.setattr(film_build, "build_one", recording_build_one)
        yield built


@pytest.fixture(scope="module")
def built_dir(tmp_path_factory: pytest.TempPathFactory, fake_tools: list[str]) -> Path:
    out = tmp_path_factory.mktemp("films")
    build_films(out, log=lambda message: None)
    return out


@pytest.fixture
def manifest(built_dir: Path) -> dict[str, Any]:
    return FilmLibrary((), built_dir).manifest()


def add_film_routes(app: Starlette, built: Path) -> None:
    """Serve the films from the fake build folder."""
    change_site(app, films=FilmLibrary(FILMS, built))


@pytest.fixture
def app(settings: Settings, built_dir: Path) -> Starlette:
    """The app of tests/conftest.py, with the films' routes and the fake build."""
    app = create_app(settings)
    add_film_routes(app, built_dir)
    return app


def vtt_cues(text: str) -> list[tuple[float, float, str]]:
    assert text.startswith("WEBVTT\n"), "a WebVTT file starts with WEBVTT"
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        if block.startswith("NOTE"):
            continue
        timing, *lines = block.split("\n")
        found = CUE_TIMING.match(timing)
        assert found, f"bad cue timing: {timing!r}"
        parts = [int(part) for part in found.groups()]
        start = parts[0] * 3600 + parts[1] * 60 + parts[2] + parts[3] / 1000
        end = parts[4] * 3600 + parts[5] * 60 + parts[6] + parts[7] / 1000
        cues.append((start, end, html.unescape(re.sub(r"</?v[^>]*>", "", " ".join(lines)))))
    return cues


def track_text(
    built_dir: Path, manifest: dict[str, Any], slug: str, lang: str, kind: str, srclang: str, *, described: bool = False
) -> str:
    entry = manifest["films"][slug]["languages"][lang]
    tracks = (entry["described"] if described else entry)["tracks"]
    (track,) = [item for item in tracks if item["kind"] == kind and item["srclang"] == srclang]
    return (built_dir / str(track["file"])).read_text(encoding="utf-8")


# Scripts ------------------------------------------------------------------------------------------


def test_both_film_scripts_load_in_english_and_welsh_with_the_same_number_of_lines() -> None:
    assert [film.slug for film in FILMS] == ["meet-the-officers", "the-referral-process"]
    for film in FILMS:
        assert set(film.languages) == {"en", "cy"}
        assert len(film.scripts["en"].lines) == len(film.scripts["cy"].lines) > 5
        assert film.scripts["cy"].translator_reviewed is False
        for script in film.scripts.values():
            assert all(source.url.startswith("https://") for source in script.sources)


@pytest.mark.parametrize("film", FILMS, ids=[film.slug for film in FILMS])
def test_the_english_scripts_are_as_plain_as_the_advice(film: films.Film) -> None:
    grade = readability([line.text for line in film.scripts["en"].lines]).grade
    assert grade <= MAXIMUM_AVERAGE_GRADE, f"{film.slug}: reading grade {grade:.1f}"


def test_a_script_whose_welsh_has_a_line_missing_is_refused(tmp_path: Path) -> None:
    original = (films.SCRIPTS_DIR / "meet-the-officers.yaml").read_text(encoding="utf-8")
    last_welsh_line = original.rindex("    - speaker: Jo, swyddog Prevent")
    broken = tmp_path / "broken.yaml"
    broken.write_text(original[:last_welsh_line], encoding="utf-8")
    with pytest.raises(FilmError, match="same lines"):
        load_film(broken)


def test_a_script_with_a_speaker_without_a_voice_is_refused(tmp_path: Path) -> None:
    original = (films.SCRIPTS_DIR / "meet-the-officers.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(original.replace("  Aled: m3\n", ""), encoding="utf-8")
    with pytest.raises(FilmError, match="no voice for 'Aled'"):
        load_film(broken)


# Captions -----------------------------------------------------------------------------------------


@given(st.lists(st.text(alphabet="abcdefghij,.?", min_size=1, max_size=30), min_size=1, max_size=40))
def test_caption_chunks_give_back_the_line_and_fit_two_caption_lines(words: list[str]) -> None:
    text = " ".join(words)
    chunks = caption_chunks(text)
    assert " ".join(chunks) == text
    assert all(len(chunk) <= film_build.CAPTION_LIMIT for chunk in chunks)


@pytest.mark.parametrize(("slug", "lang"), FILM_LANGUAGES)
def test_the_captions_are_the_transcript_lines_in_order(
    built_dir: Path, manifest: dict[str, Any], slug: str, lang: str
) -> None:
    script = next(film for film in FILMS if film.slug == slug).scripts[lang]
    cues = vtt_cues(track_text(built_dir, manifest, slug, lang, "captions", lang))
    assert " ".join(text for _, _, text in cues) == " ".join(line.text for line in script.lines)


@pytest.mark.parametrize(("slug", "lang"), FILM_LANGUAGES)
def test_every_track_is_valid_webvtt_with_increasing_times(
    built_dir: Path, manifest: dict[str, Any], slug: str, lang: str
) -> None:
    entry = manifest["films"][slug]["languages"][lang]
    assert {(track["kind"], track["srclang"]) for track in entry["tracks"]} == {
        ("captions", lang),
        ("subtitles", "cy" if lang == "en" else "en"),
        ("descriptions", lang),
    }
    assert {(track["kind"], track["srclang"]) for track in entry["described"]["tracks"]} == {
        ("captions", lang),
        ("subtitles", "cy" if lang == "en" else "en"),
    }, "the described version's descriptions are in its soundtrack and captions"
    for version in (entry, entry["described"]):
        for track in version["tracks"]:
            cues = vtt_cues((built_dir / track["file"]).read_text(encoding="utf-8"))
            assert cues, track["file"]
            previous_end = 0.0
            for start, end, text in cues:
                assert previous_end <= start < end <= version["duration"], (track["file"], start, end, text)
                assert text.strip()
                previous_end = end


@pytest.mark.parametrize(("slug", "lang"), FILM_LANGUAGES)
def test_the_described_captions_say_each_description_in_brackets_before_its_line(
    built_dir: Path, manifest: dict[str, Any], slug: str, lang: str
) -> None:
    film = next(film for film in FILMS if film.slug == slug)
    for srclang, script in film.scripts.items():
        kind = "captions" if srclang == lang else "subtitles"
        cues = vtt_cues(track_text(built_dir, manifest, slug, lang, kind, srclang, described=True))
        expected = " ".join(f"[{line.audio_description}] {line.text}" for line in script.lines)
        assert " ".join(text for _, _, text in cues) == expected


def test_the_other_languages_subtitles_share_each_lines_time() -> None:
    texts = ["One two three. Four five.", "Six."]
    cues = film_build.line_cues(texts, [(1.0, 3.0), (4.0, 5.0)], [None, None])
    assert [(cue.start, cue.end, cue.text) for cue in cues] == [
        (1.0, 3.0, "One two three. Four five."),
        (4.0, 5.0, "Six."),
    ]


def test_cue_text_is_escaped_and_timestamps_have_milliseconds() -> None:
    text = film_build.webvtt([film_build.Cue(61.5, 3725.25, "Fish & <chips>", "Jo")], "a note")
    assert "00:01:01.500 --> 01:02:05.250\n<v Jo>Fish &amp; &lt;chips&gt;</v>" in text


# The audio-described version ---------------------------------------------------------------------


def fake_espeak(command: tuple[str, ...], said: list[str]) -> None:
    """Stands in for `espeak-ng -v voice -s speed -w path text`: 10 ms of silence a character, at 22050 Hz."""
    assert command[0] == "espeak-ng"
    path, text = Path(command[command.index("-w") + 1]), command[-1]
    said.append(f"{command[command.index('-v') + 1]}: {text}")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        out.writeframes(b"\0\0" * round(len(text) * 0.01 * 22050))


def test_the_described_narration_holds_each_slide_while_its_description_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Extended description: each description is said in the describer's voice on its line's slide,
    before the line, never over it; the soundtrack is the standard one plus every description and pause."""
    said: list[str] = []
    monkeypatch.setattr(film_build, "_run", lambda *command: fake_espeak(command, said))
    film = FILMS[0]
    lines = film.scripts["en"].lines
    (tmp_path / "standard").mkdir()
    (tmp_path / "described").mkdir()
    standard = REAL_NARRATE(film, "en", tmp_path / "standard")
    described = REAL_NARRATE(film, "en", tmp_path / "described", described=True)
    assert len(said) == 2 * len(lines), "the line clips are made once, for both versions"
    assert all(entry.startswith(f"en-gb+{film_build.DESCRIBER}: ") for entry in said[len(lines) :])
    assert standard.descriptions == [] and len(described.descriptions) == len(lines)
    slides = described.slides()
    for (d_start, d_end), (l_start, l_end), (s_start, s_end) in zip(
        described.descriptions, described.lines, slides, strict=True
    ):
        assert s_start <= d_start < d_end < l_start < l_end <= s_end, "the slide holds through both"
        assert l_start - d_end == pytest.approx(film_build.DESCRIPTION_GAP, abs=0.001)
    descriptions = sum(end - start + film_build.DESCRIPTION_GAP for start, end in described.descriptions)
    assert described.total - standard.total == pytest.approx(descriptions, abs=0.001)
    for version in ("standard", "described"):
        with wave.open(str(tmp_path / version / "narration.wav")) as narration:
            seconds = narration.getnframes() / narration.getframerate()
        assert seconds == pytest.approx((standard if version == "standard" else described).total, abs=0.001)


def test_the_describer_says_phone_numbers_as_the_lines_do_and_times_in_welsh_words() -> None:
    officers, referral = FILMS
    english = film_build.description_speech(officers, "en")
    assert "On screen: the phone number 0 8 0 0, 0 1 1, 3 7 6 4, open 9am to 5pm every day." in english
    assert "On screen: Textphone 1 8 0 0 1, 1 0 1." in english
    assert "On screen: In danger now? Call 9 9 9." in english
    welsh = film_build.description_speech(officers, "cy")
    assert any("3 7 6 4, ar agor naw y bore a phump y prynhawn bob dydd." in text for text in welsh)
    referral_english = film_build.description_speech(referral, "en")
    assert "On screen: 7 in every 100 referrals became Channel cases." in referral_english, "not a phone number"
    assert "On screen: Act Early Support Line, 0 8 0 0, 0 1 1, 3 7 6 4." in referral_english


def test_a_number_is_said_digit_by_digit_in_groups() -> None:
    assert film_build.digit_by_digit("0800 789 321") == "0 8 0 0, 7 8 9, 3 2 1"
    assert film_build.digit_by_digit("999") == "9 9 9"


@pytest.mark.parametrize(("slug", "lang"), FILM_LANGUAGES)
def test_each_film_has_a_described_version_longer_by_its_descriptions(
    manifest: dict[str, Any], slug: str, lang: str
) -> None:
    film = next(film for film in FILMS if film.slug == slug)
    entry = manifest["films"][slug]["languages"][lang]
    described = entry["described"]
    assert [item["name"] for item in described["renditions"]] == ["standard", "low"]
    expected = fake_narrate(film, lang, Path(), described=True).total
    assert described["duration"] == pytest.approx(expected, abs=0.001)
    assert described["duration"] > entry["duration"]
    assert described["poster"] != entry["poster"] and described["poster"] in manifest["files"], "a poster that says so"
    for item in described["renditions"]:
        assert f"{slug}-{lang}-described-{item['name']}." in item["file"] and item["file"] in manifest["files"]


# The build ----------------------------------------------------------------------------------------


def test_built_files_are_named_by_their_content_and_listed(built_dir: Path, manifest: dict[str, Any]) -> None:
    assert sorted(manifest["files"]) == sorted(path.name for path in built_dir.iterdir() if path.name != "films.json")
    for name in manifest["files"]:
        assert re.fullmatch(r"[a-z-]+-(en|cy)-[a-z-]+\.[0-9a-f]{10}\.(mp4|vtt|png)", name), name


def test_the_build_is_skipped_when_nothing_changed(built_dir: Path, fake_tools: list[str]) -> None:
    before = len(fake_tools)
    messages: list[str] = []
    build_films(built_dir, log=messages.append)
    assert len(fake_tools) == before
    assert messages == [f"films are up to date in {built_dir}"]


def test_a_changed_build_input_makes_a_new_build(
    tmp_path: Path, fake_tools: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The code that builds the films, the brand's colours and the fonts are part of the build's key, as
    the scripts and the tools' versions are: change one, and the next build makes the films again."""
    inputs = [path.name for path in film_build.build_inputs()]
    assert inputs[:3] == ["build.py", "films.py", "brand.py"]
    assert "DejaVuSans-Bold.ttf" in inputs or not film_build.FONTS.exists()
    extra = tmp_path / "colours.py"
    extra.write_text("PURPLE = 1\n")
    real_inputs = film_build.build_inputs
    monkeypatch.setattr(film_build, "build_inputs", lambda: [*real_inputs(), extra])
    out = tmp_path / "films"
    first = build_films(out, log=lambda message: None)
    built = len(fake_tools)
    assert build_films(out, log=lambda message: None)["source"] == first["source"] and len(fake_tools) == built
    extra.write_text("PURPLE = 2\n")
    second = build_films(out, log=lambda message: None)
    assert second["source"] != first["source"]
    assert len(fake_tools) == built + len(FILM_LANGUAGES), "every film and language built again"


def test_the_build_says_how_to_install_ffmpeg_when_it_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(film_build, "_tool_versions", REAL_TOOL_VERSIONS)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(FilmBuildError, match="apt-get install ffmpeg espeak-ng"):
        build_films(tmp_path / "films")


# Pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("slug", "lang"), FILM_LANGUAGES)
def test_the_transcript_on_the_page_is_the_script_in_order(client: TestClient, slug: str, lang: str) -> None:
    page = html.unescape(client.get(f"/{lang}/films/{slug}").text)
    transcript = page[page.index('id="transcript"') :]
    position = 0
    for line in next(film for film in FILMS if film.slug == slug).scripts[lang].lines:
        position = transcript.index(line.text, position)
        assert line.audio_description in transcript


def test_the_film_page_offers_the_standard_rendition_first(client: TestClient) -> None:
    response = client.get("/en/films/meet-the-officers")
    assert response.status_code == 200
    sources = re.findall(r'<source src="([^"]+)" type="video/mp4">', response.text)
    assert ["standard" in sources[0], "low" in sources[1]] == [True, True]
    assert "Save-Data" in response.headers["vary"]


def test_save_data_puts_the_low_rendition_first(client: TestClient) -> None:
    response = client.get("/en/films/meet-the-officers", headers={"Save-Data": "on"})
    sources = re.findall(r'<source src="([^"]+)" type="video/mp4">', response.text)
    assert ["low" in sources[0], "standard" in sources[1]] == [True, True]
    assert "low data video plays first" in response.text


def test_the_player_is_native_with_no_autoplay_and_captions_on_by_default(client: TestClient) -> None:
    text = client.get("/cy/films/the-referral-process").text
    video = text[text.index("<video") : text.index("</video>")]
    assert 'controls preload="none"' in video and "poster=" in video
    assert "autoplay" not in text and "<script>" not in text and "style=" not in text
    assert re.search(r'<track kind="captions" srclang="cy" label="[^"]+" src="[^"]+" default>', video)
    assert re.search(r'<track kind="subtitles" srclang="en"', video)
    assert re.search(r'<track kind="descriptions" srclang="cy"', video)


def test_length_and_sizes_are_shown_before_the_player(client: TestClient, manifest: dict[str, Any]) -> None:
    text = client.get("/en/films/meet-the-officers").text
    before_player = text[: text.index("<video")]
    duration = round(manifest["films"]["meet-the-officers"]["languages"]["en"]["duration"])
    assert f"Length: {duration // 60} min {duration % 60} sec" in before_player
    assert "Standard quality video (MP4, 640 by 360 pixels, 16 KB)" in before_player
    assert "Low data video (MP4, 426 by 240 pixels, 4 KB)" in before_player


def video_elements(text: str) -> list[str]:
    return re.findall(r"<video[^>]*>.*?</video>", text, flags=re.DOTALL)


def test_the_described_version_is_offered_after_the_standard_one_and_says_so(
    client: TestClient, manifest: dict[str, Any]
) -> None:
    text = client.get("/en/films/meet-the-officers").text
    standard, described = video_elements(text)
    assert "-described-" not in standard
    assert re.findall(r'<source src="[^"]+-described-(\w+)\.', described) == ["standard", "low"]
    assert 'controls preload="none"' in described and 'aria-labelledby="watch-described"' in described
    assert '<h2 class="govuk-heading-m" id="watch-described">Watch with audio description</h2>' in text
    assert '<h2 class="govuk-heading-m" id="watch-standard">Watch the film</h2>' in text
    assert re.search(
        r'<track kind="captions" srclang="en" label="English" src="[^"]+-described-captions-en\.', described
    )
    assert 'kind="descriptions"' not in described, "its descriptions are in its soundtrack"
    assert "-described-poster." in described and "-described-" not in standard
    before_described = text[text.index('id="watch-described"') : text.index(described)]
    duration = round(manifest["films"]["meet-the-officers"]["languages"]["en"]["described"]["duration"])
    assert f"Length: {duration // 60} min {duration % 60} sec" in before_described
    assert "Standard quality video with audio description (MP4, 640 by 360 pixels, 25 KB)" in before_described
    assert "Low data video with audio description (MP4, 426 by 240 pixels, 6 KB)" in before_described
    downloads = text[text.index(">Downloads<") :]
    assert "Standard quality video with audio description (MP4, 640 by 360 pixels, 25 KB)</a>" in downloads
    assert "Audio description as text (WebVTT," in downloads


def test_the_players_are_named_by_their_headings_and_do_not_repeat_the_details(client: TestClient) -> None:
    """Read once: the list of details is above each player, which is not described by it again."""
    for slug, lang in FILM_LANGUAGES:
        text = client.get(f"/{lang}/films/{slug}").text
        for video in video_elements(text):
            assert "aria-describedby" not in video
        labels = [re.findall(r'aria-labelledby="([^"]+)"', video) for video in video_elements(text)]
        assert labels == [["watch-standard"], ["watch-described"]]
        assert "×" not in text


def test_save_data_puts_the_low_rendition_first_in_the_described_version_too(client: TestClient) -> None:
    text = client.get("/en/films/meet-the-officers", headers={"Save-Data": "on"}).text
    described = video_elements(text)[1]
    assert re.findall(r'<source src="[^"]+-described-(\w+)\.', described) == ["low", "standard"]


def test_a_build_without_described_versions_shows_the_standard_film_alone(
    client: TestClient, app: Starlette, built_dir: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old-build"
    shutil.copytree(built_dir, old)
    manifest = FilmLibrary((), old).manifest()
    for film in manifest["films"].values():
        for entry in film["languages"].values():
            del entry["described"]
    (old / "films.json").write_text(json.dumps(manifest), encoding="utf-8")
    change_site(app, films=FilmLibrary(FILMS, old))
    text = client.get("/en/films/meet-the-officers").text
    assert len(video_elements(text)) == 1 and "Watch with audio description" not in text


def test_the_films_page_lists_each_film_with_its_length_and_size(client: TestClient) -> None:
    response = client.get("/en/films")
    assert response.status_code == 200
    for film in FILMS:
        assert f'href="/en/films/{film.slug}"' in response.text
    assert response.text.count("Video: 16 KB (low data: 4 KB)") == len(FILMS)
    assert "a version with audio description" in response.text
    assert response.text.count("Length: ") == len(FILMS)
    assert client.get("/cy/films").status_code == 200


def test_pages_render_without_built_films(client: TestClient, app: Starlette, tmp_path: Path) -> None:
    change_site(app, films=FilmLibrary(FILMS, tmp_path / "nothing-built"))
    for slug, lang in FILM_LANGUAGES:
        response = client.get(f"/{lang}/films/{slug}")
        assert response.status_code == 200
        assert "<video" not in response.text and 'id="transcript"' in response.text
    assert client.get("/en/films").status_code == 200


def test_a_film_built_from_an_older_script_is_shown_as_a_transcript_only(
    client: TestClient, app: Starlette, built_dir: Path
) -> None:
    changed = [dataclasses.replace(film, revision="000000000000") for film in FILMS]
    change_site(app, films=FilmLibrary(tuple(changed), built_dir))
    response = client.get("/en/films/meet-the-officers")
    assert response.status_code == 200 and "<video" not in response.text


def test_a_language_without_films_and_an_unknown_film_are_not_found(client: TestClient) -> None:
    assert client.get("/ur/films").status_code == 404
    assert client.get("/en/films/no-such-film").status_code == 404


# The media route ----------------------------------------------------------------------------------


def standard_video(manifest: dict[str, Any]) -> str:
    renditions = manifest["films"]["meet-the-officers"]["languages"]["en"]["renditions"]
    return str(next(item["file"] for item in renditions if item["name"] == "standard"))


def test_a_video_is_served_whole_with_its_type_and_a_year_of_caching(
    client: TestClient, manifest: dict[str, Any]
) -> None:
    response = client.get(MEDIA_PREFIX + standard_video(manifest))
    assert response.status_code == 200
    assert response.content == VIDEO_BYTES
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_a_range_request_answers_206_with_those_bytes(client: TestClient, manifest: dict[str, Any]) -> None:
    response = client.get(MEDIA_PREFIX + standard_video(manifest), headers={"Range": "bytes=1000-1099"})
    assert response.status_code == 206
    assert response.content == VIDEO_BYTES[1000:1100]
    assert response.headers["content-range"] == f"bytes 1000-1099/{len(VIDEO_BYTES)}"


def test_an_open_ended_range_gets_the_rest_of_the_file(client: TestClient, manifest: dict[str, Any]) -> None:
    response = client.get(MEDIA_PREFIX + standard_video(manifest), headers={"Range": "bytes=16000-"})
    assert response.status_code == 206
    assert response.content == VIDEO_BYTES[16000:]


def test_a_range_past_the_end_is_refused(client: TestClient, manifest: dict[str, Any]) -> None:
    response = client.get(MEDIA_PREFIX + standard_video(manifest), headers={"Range": "bytes=99999-"})
    assert response.status_code == 416


def test_a_cached_video_is_not_sent_again(client: TestClient, manifest: dict[str, Any]) -> None:
    name = standard_video(manifest)
    response = client.get(MEDIA_PREFIX + name, headers={"If-None-Match": f'"{name}"'})
    assert response.status_code == 304 and response.content == b""


def test_the_described_version_is_served_like_the_standard_one(client: TestClient, manifest: dict[str, Any]) -> None:
    described = manifest["films"]["meet-the-officers"]["languages"]["en"]["described"]
    name = next(item["file"] for item in described["renditions"] if item["name"] == "standard")
    response = client.get(MEDIA_PREFIX + name, headers={"Range": "bytes=0-99"})
    assert response.status_code == 206 and len(response.content) == 100
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    for track in described["tracks"]:
        assert client.get(MEDIA_PREFIX + track["file"]).headers["content-type"] == "text/vtt; charset=utf-8"


def test_captions_are_served_as_webvtt(client: TestClient, manifest: dict[str, Any]) -> None:
    tracks = manifest["films"]["meet-the-officers"]["languages"]["cy"]["tracks"]
    response = client.get(MEDIA_PREFIX + tracks[0]["file"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/vtt; charset=utf-8"
    assert response.text.startswith("WEBVTT")


def test_only_built_files_are_served(client: TestClient) -> None:
    assert client.get(MEDIA_PREFIX + "films.json").status_code == 404
    assert client.get(MEDIA_PREFIX + "..%2Fsettings.py").status_code == 404

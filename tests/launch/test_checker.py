"""The LTAI link checker finds every old address in what a partner pastes, and gives the redirects' answer."""

from __future__ import annotations

import pytest

from web.http.redirects import load_redirects
from web.launch.checker import (
    EMPTY,
    MAX_ADDRESSES,
    MAX_CHARACTERS,
    NONE_FOUND,
    TOO_LONG,
    TOO_MANY,
    CheckerError,
    Match,
    check,
    every_address,
    old_paths,
)

REDIRECTS = load_redirects()


def test_old_paths_are_found_in_html_text_and_lists_once_each() -> None:
    pasted = """<p>See <a href="https://www.ltai.info/what-is-prevent/">Prevent</a> and
    <a href='http://ltai.info/What-Is-Prevent.html?x=1#top'>again</a>.</p>
    ltai.info/channel
    //www.ltai.info
    /spotting-the-signs
    """
    assert old_paths(pasted) == ["/what-is-prevent/", "/channel", "/", "/spotting-the-signs"]


def test_other_sites_and_look_alike_hosts_are_not_old_addresses() -> None:
    assert old_paths("https://example.com/what-is-prevent notltai.info/x ltai.info.evil.example/x") == []


def test_html_entities_in_pasted_html_are_read_as_the_browser_reads_them() -> None:
    assert old_paths('<a href="https://ltai.info/channel?a=1&amp;b=2">') == ["/channel"]


def test_each_address_gets_the_same_new_address_as_the_redirect() -> None:
    results = check(REDIRECTS, "ltai.info/what-is-prevent\nltai.info/no-such-page-at-all")
    assert [(r.old, r.new_path, r.match) for r in results] == [
        ("ltai.info/what-is-prevent", REDIRECTS.target("/what-is-prevent"), Match.PAGE),
        ("ltai.info/no-such-page-at-all", "/en/", Match.HOME),
    ]


def test_an_address_under_a_section_says_so() -> None:
    section = next(iter(REDIRECTS.sections))
    (result,) = check(REDIRECTS, f"https://www.ltai.info{section}/2019/some-story")
    assert result.match is Match.SECTION
    assert result.new_path == REDIRECTS.sections[section]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", EMPTY),
        ("   \n ", EMPTY),
        ("x" * (MAX_CHARACTERS + 1), TOO_LONG),
        ("https://example.com/page", NONE_FOUND),
        ("\n".join(f"ltai.info/page-{n}" for n in range(MAX_ADDRESSES + 1)), TOO_MANY),
    ],
)
def test_nothing_to_check_is_a_reason_not_a_crash(text: str, reason: str) -> None:
    with pytest.raises(CheckerError) as raised:
        check(REDIRECTS, text)
    assert raised.value.reason == reason


def test_the_whole_map_is_listed_for_the_page() -> None:
    rows = every_address(REDIRECTS)
    assert len(rows) == len(REDIRECTS.pages) + len(REDIRECTS.sections)
    assert ("/what-is-prevent", REDIRECTS.pages["/what-is-prevent"], False) in rows

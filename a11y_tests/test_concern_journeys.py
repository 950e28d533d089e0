"""The concern form as a keyboard and screen-reader user meets it (issue 21, items 3, 4, 5, 6 and 12): "Change"
lands on the question and comes back to its row, Back keeps the answers, the reference is read one character
at a time, optional questions say so, and the form's start page is one link away from the advice that leads
to it. With JavaScript and without: focus moves by autofocus and the address's fragment, which need none."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from a11y_tests.pages import DESKTOP
from testing.live_server import live_server
from testing.shared_device import confirmed_reference

AREA_LABEL = "Which town, city or area do they live in? (optional)"
AGE_LABEL = "About how old are they?"


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def form_page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=request.param, viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="module")
def sending_site(tmp_path_factory: pytest.TempPathFactory, exit_url: str) -> Iterator[str]:
    """A site of its own for the test that sends: the shared one's limit of sends an hour is for the others."""
    with live_server(tmp_path_factory.mktemp("journeys"), EXIT_URL=exit_url, SUBMISSIONS_PER_HOUR="100") as url:
        yield url


def _continue(page: Page) -> None:
    page.locator("main form button.govuk-button").click()
    page.wait_for_load_state()


def _to_the_worry_question(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/en/share-a-concern/questions")
    page.locator("#danger-2").check()  # no one is in danger right now
    _continue(page)
    page.locator("#person_name").fill("Sam")
    page.locator("#person_area").fill("Leeds")
    page.locator("#person_age-2").check()  # 13 to 17
    page.locator("#relationship").check()
    _continue(page)


def _to_the_check_page(page: Page, base_url: str) -> None:
    _to_the_worry_question(page, base_url)
    page.locator("#worries").fill("He shares violent videos.")
    page.locator("#since_when-2").check()
    _continue(page)
    _continue(page)  # about you: nothing given
    page.locator("#heard_about").check()
    _continue(page)
    expect(page.locator("h1")).to_have_text("Check your answers before you send them")


def _focused(page: Page) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.tagName"))


def _press(page: Page, name: str, role: str = "button") -> None:
    """Activate a control as a keyboard user does: focus it, press Enter, wait for the next page."""
    page.get_by_role(role, name=name, exact=True).focus()  # type: ignore[arg-type]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


@pytest.mark.parametrize(
    ("label", "field"), [(AREA_LABEL, "person_area"), (AGE_LABEL, "person_age-2")], ids=["text", "radios"]
)
def test_change_lands_on_the_question_and_saving_it_returns_to_its_row(
    form_page: Page, base_url: str, label: str, field: str
) -> None:
    """Item 3: the question chosen has focus (the option chosen, for radios); saving it, its Change button."""
    _to_the_check_page(form_page, base_url)
    _press(form_page, f"Change {label}")
    expect(form_page.locator("h1")).to_have_text("About the person you are worried about")
    assert _focused(form_page) == field
    if field == "person_area":
        form_page.keyboard.press("Control+a")
        form_page.keyboard.type("York")
    with form_page.expect_navigation():
        form_page.keyboard.press("Enter")  # Enter in the field sends the page, as Continue does
    form_page.wait_for_load_state()
    expect(form_page.locator("h1")).to_have_text("Check your answers before you send them")
    name = field.split("-")[0]
    assert _focused(form_page) == f"change-{name}"
    if field == "person_area":
        expect(form_page.locator("main")).to_contain_text("York")


def test_back_keeps_every_answer_and_the_new_page_is_read_from_the_top(form_page: Page, base_url: str) -> None:
    """Item 4: Back is the first control of the main content (skip to it, and it is next), keeps the answers,
    and opens the page before as any page opens: focus at its start, so a screen reader reads it from its title."""
    _to_the_worry_question(form_page, base_url)
    form_page.locator("#worries").fill("typed, not yet saved")
    back = form_page.get_by_role("button", name="Back", exact=True)
    form_page.locator("#main-content").focus()  # where "Skip to main content" goes
    form_page.keyboard.press("Tab")
    assert back.evaluate("button => button === document.activeElement")
    _press(form_page, "Back")
    expect(form_page.locator("h1")).to_have_text("About the person you are worried about")
    assert _focused(form_page) == "BODY"
    expect(form_page.locator("#person_name")).to_have_value("Sam")
    expect(form_page.locator("#person_area")).to_have_value("Leeds")
    expect(form_page.locator("#person_age-2")).to_be_checked()
    _press(form_page, "Back")  # to the danger question; its Back is a link to the start page
    expect(form_page.get_by_role("link", name="Back", exact=True)).to_have_attribute("href", "/en/share-a-concern")
    form_page.locator("#danger-2").check()
    _continue(form_page)
    expect(form_page.locator("#person_name")).to_have_value("Sam")  # forward again: still there


def test_back_from_the_check_page_and_from_a_change_keep_the_answers(form_page: Page, base_url: str) -> None:
    _to_the_check_page(form_page, base_url)
    _press(form_page, "Back")
    expect(form_page.locator("#heard_about")).to_be_checked()
    _continue(form_page)
    _press(form_page, f"Change {AREA_LABEL}")
    _press(form_page, "Back")  # changing an answer, Back is the check page, at the row of the question
    expect(form_page.locator("h1")).to_have_text("Check your answers before you send them")
    assert _focused(form_page) == "change-person_area"
    expect(form_page.locator("main")).to_contain_text("Leeds")


def test_the_reference_is_read_one_character_at_a_time(form_page: Page, sending_site: str) -> None:
    """Item 5: the accessibility tree gives the spaced form, never the grouped one a speech engine reads as
    words and numbers; the page shows the grouped one."""
    _to_the_check_page(form_page, sending_site)
    form_page.get_by_role("button", name="Send", exact=True).click()
    reference = confirmed_reference(form_page)
    assert re.fullmatch(r"([A-Z][2-9]){2}-([A-Z][2-9]){2}", reference)
    spoken = f"{' '.join(reference[:4])}, {' '.join(reference[5:])}"
    tree = form_page.locator(".govuk-panel").aria_snapshot()
    assert spoken in tree and reference not in tree, tree


def test_the_optional_questions_say_so_in_their_legends(form_page: Page, base_url: str) -> None:
    """Item 6 (3.3.2): the radio questions about contact are named "(optional)" where they are asked."""
    _to_the_worry_question(form_page, base_url)
    form_page.locator("#worries").fill("He shares violent videos.")
    form_page.locator("#since_when-2").check()
    _continue(form_page)
    for name in (
        "Is it safe for us to contact you? (optional)",
        "Can we leave a voicemail? (optional)",
        "Can we send you a text message? (optional)",
    ):
        expect(form_page.get_by_role("group", name=name, exact=True)).to_have_count(1)


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("slug", ["signs-to-spot", "what-happens-next"])
def test_the_form_is_one_link_away_from_the_signs_and_what_happens_next(
    page: Page, base_url: str, lang: str, slug: str
) -> None:
    """Item 12: a link in the page's main content, with a name that says where it goes, opens the start page."""
    page.goto(f"{base_url}/{lang}/{slug}")
    links = page.locator(f"main a[href='/{lang}/share-a-concern']")
    assert links.count() >= 1
    names = [links.nth(index).inner_text().strip() for index in range(links.count())]
    assert all(len(name.split()) >= 2 for name in names), names  # not "here" or "click"
    links.first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base_url}/{lang}/share-a-concern"
    expect(page.locator("a.govuk-button--start")).to_be_visible()

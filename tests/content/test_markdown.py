from web.content.markdown import render_markdown


def test_markdown_gets_govuk_classes_and_heading_ids() -> None:
    rendered = render_markdown("## Talk to them\n\nSay [hello](/en/faq).\n\n- one\n- two\n")
    assert '<h2 class="govuk-heading-l" id="talk-to-them">Talk to them</h2>' in rendered.html
    assert '<a href="/en/faq" class="govuk-link">hello</a>' in rendered.html
    assert '<ul class="govuk-list govuk-list--bullet">' in rendered.html
    assert [link.href for link in rendered.links] == ["/en/faq"]
    assert rendered.headings[0].level == 2


def test_raw_html_in_markdown_is_escaped_not_rendered() -> None:
    rendered = render_markdown("<script>alert(1)</script>\n\nText.")
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html


def test_images_are_collected_with_their_alt_text() -> None:
    rendered = render_markdown("![A poster](/poster.png)")
    assert rendered.images[0].alt == "A poster"


def test_links_to_another_language_say_which() -> None:
    rendered = render_markdown("Read [this](/en/faq) or [that](/ur/get-help).", lang="ur")
    assert '<a href="/en/faq" class="govuk-link" hreflang="en">' in rendered.html
    assert '<a href="/ur/get-help" class="govuk-link">' in rendered.html

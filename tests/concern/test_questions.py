"""The concern form's and call-back request's questions, reading and validating answers (web/concern/questions.py)."""

from __future__ import annotations

import pytest
from starlette.datastructures import FormData

from web.concern import questions as q

COMPLETE = {
    "person_name": "Sam",
    "person_age": "13-17",
    "relationship": "parent",
    "worries": "A lot",
    "since_when": "days",
}


def answers(**values: str | list[str]) -> q.Answers:
    return q.Answers(dict(values))


def step(name: str) -> q.Step:
    found = q.step_named(name)
    assert found is not None
    return found


def test_the_form_steps_run_in_order_and_then_to_the_check_page() -> None:
    assert q.STEP_NAMES == ("danger", "person", "worry", "you", "heard")
    assert [q.next_step(name) for name in q.STEP_NAMES] == ["person", "worry", "you", "heard", q.CHECK]
    assert q.step_named("worry") is q.STEPS[2]
    assert [q.step_named(name) for name in ("check", "callback", "")] == [None, None, None]
    with pytest.raises(ValueError):
        q.next_step("check")


def test_the_carried_fields_are_every_form_question_but_the_danger_one() -> None:
    assert "danger" not in q.FORM_FIELDS and len(set(q.FORM_FIELDS)) == len(q.FORM_FIELDS) == 18
    assert q.FORM_FIELDS[:2] == ("person_name", "person_age") and q.FORM_FIELDS[-1] == "heard_about"
    assert {"danger", "callback_phone", "callback_times"} <= set(q.ALL_FIELDS)


def test_every_required_question_says_what_is_missing_and_every_choice_question_has_distinct_choices() -> None:
    for step in (*q.STEPS, q.CALLBACK):
        for spec in step.fields:
            assert not spec.required or spec.required_message, spec.name
            values = [value for value, _ in spec.choices]
            assert (spec.kind in ("radios", "checkboxes", "select")) == bool(values) and len(set(values)) == len(values)


def test_a_missing_required_answer_gets_its_own_message_and_optional_ones_none() -> None:
    typed = q.read_answers(FormData([("person_name", " \u200b "), ("person_age", "not-sure")]), q.FORM_FIELDS)
    errors = q.validate(step("person"), typed)
    assert errors == {
        "person_name": "Enter their first name, or how you would like to refer to them",
        "relationship": "Select how you know them",
    }
    assert q.validate(step("you"), answers()) == {}


def test_a_required_question_without_its_own_message_gets_a_general_one() -> None:
    unlabelled = q.Step("s", "S", (q.Field("f", "F", required=True),))
    assert q.validate(unlabelled, answers()) == {"f": "Answer this question"}


def test_an_answer_over_its_length_is_refused_and_one_at_it_is_not() -> None:
    complete = {"person_age": "not-sure", "relationship": "other"}
    assert q.validate(step("person"), answers(person_name="x" * 60, **complete)) == {}
    too_long = q.validate(step("person"), answers(person_name="x" * 61, **complete))
    assert too_long == {"person_name": "Keep this to %(limit)d characters or fewer"}


def test_a_choice_that_is_not_one_of_the_options_is_refused() -> None:
    errors = q.validate(q.CALLBACK, answers(callback_phone="07700 900982", callback_times="any", voicemail_ok="maybe"))
    assert errors == {"voicemail_ok": "Select one of the options"}


@pytest.mark.parametrize("phone", ["07700 900 982", "+44 (0)7700 900982", "020-7946-0018", "123456"])
def test_phone_numbers_as_people_write_them_are_accepted(phone: str) -> None:
    assert q.validate(step("you"), answers(contact_phone=phone)) == {}


@pytest.mark.parametrize("phone", ["call me", "12345", "+ (1) 2-3-4-5", "07700 900 982 ext 1", "++447700900982"])
def test_anything_else_as_a_phone_number_is_refused(phone: str) -> None:
    errors = q.validate(step("you"), answers(contact_phone=phone))
    assert errors == {"contact_phone": "Enter a phone number using only numbers, spaces and +, like 07700 900 982"}


@pytest.mark.parametrize("email", ["name@localhost", "a b@example.com", "a@b@example.com", "@example.com", "a@x.c"])
def test_an_email_address_in_the_wrong_format_is_refused(email: str) -> None:
    assert q.validate(step("you"), answers(contact_email=email)) == {
        "contact_email": "Enter an email address in the right format, like name@example.com"
    }
    assert q.validate(step("you"), answers(contact_email="name@example.co.uk")) == {}


def test_validating_everything_names_the_first_step_with_a_problem_and_ignores_the_danger_question() -> None:
    assert q.validate_all(answers(**COMPLETE)) == (None, {})
    assert q.validate_all(answers(**{**COMPLETE, "worries": ""})) == (
        "worry",
        {"worries": "Tell us what has made you worried"},
    )
    assert q.validate_all(answers(**{**COMPLETE, "person_age": "", "contact_email": "x"}))[0] == "person"


def test_read_answers_cleans_the_known_fields_and_keeps_only_offered_checkbox_values() -> None:
    typed = [("person_name", "  Sam\x00 \t Smith "), ("worries", " line one\r\nline\u202e two \n"), ("evil", "x")]
    ticked = [("access_needs", "bsl"), ("access_needs", "telepathy"), ("access_needs", "other")]
    form = FormData([*typed, *ticked])
    read = q.read_answers(form, ("person_name", "worries", "access_needs", "your_name"))
    assert read.values == {
        "person_name": "Sam Smith",
        "worries": "line one\nline two",
        "access_needs": ["bsl", "other"],
        "your_name": "",
    }


def test_read_answers_treats_values_that_are_not_text_as_unanswered() -> None:
    read = q.read_answers({"person_name": 5, "access_needs": ["bsl"]}, ("person_name", "access_needs"))
    assert read.values == {"person_name": "", "access_needs": []}  # a plain mapping has no checkbox lists


def test_answers_give_text_or_lists_whichever_was_stored() -> None:
    given = answers(name="Sam", needs=["bsl", "other"], empty="")
    assert (given.get("name"), given.get("needs"), given.get("missing")) == ("Sam", "bsl,other", "")
    assert (given.get_list("needs"), given.get_list("name"), given.get_list("empty"), given.get_list("x")) == (
        ["bsl", "other"],
        ["Sam"],
        [],
        [],
    )


def test_the_sealed_payload_holds_the_route_language_time_and_a_copy_of_every_answer() -> None:
    given = answers(**COMPLETE, access_needs=["bsl"])
    payload = q.sealed_payload("form", given, "cy", "2025-01-02T03:04:05+00:00")
    given.values["worries"] = "changed later"
    assert payload == {
        "route": "form",
        "language": "cy",
        "submitted_at": "2025-01-02T03:04:05+00:00",
        "answers": {**COMPLETE, "access_needs": ["bsl"]},
    }


@pytest.mark.parametrize("name", ["safe_to_contact", "voicemail_ok", "text_ok"])
def test_every_optional_question_of_the_form_says_so_in_its_label(name: str) -> None:
    """WCAG 3.3.2: a question a reader may skip says "(optional)" where it is asked (issue 21, item 6)."""
    spec = next(spec for form_step in q.STEPS for spec in form_step.fields if spec.name == name)
    assert not spec.required and spec.label.endswith("(optional)")
    for form_step in q.STEPS[1:]:
        for each in form_step.fields:
            assert each.required or each.label.endswith("(optional)"), each.name


def test_back_goes_one_step_before_and_from_the_check_page_to_the_last_question() -> None:
    assert q.previous_step("worry") == "person"
    assert q.previous_step("person") == "danger"
    assert q.previous_step(q.CHECK) == "heard"
    assert q.previous_step("danger") is None  # the start page, by a plain link


def test_each_question_of_the_form_belongs_to_its_step() -> None:
    assert step("person") == q.step_of_field("person_area")
    assert step("you") == q.step_of_field("voicemail_ok")
    assert q.step_of_field("callback_phone") is None


def test_change_lands_on_the_field_or_on_the_chosen_option() -> None:
    fields = {spec.name: spec for form_step in q.STEPS for spec in form_step.fields}
    assert q.focus_id(fields["person_area"], answers()) == "person_area"
    assert q.focus_id(fields["person_age"], answers(person_age="13-17")) == "person_age-2"
    assert q.focus_id(fields["person_age"], answers(person_age="under-13")) == "person_age"
    assert q.focus_id(fields["person_age"], answers()) == "person_age"
    assert q.focus_id(fields["access_needs"], answers(access_needs=["bsl", "other"])) == "access_needs-2"


def test_the_area_question_takes_every_forces_area_i_dont_know_and_outside_the_uk() -> None:
    from web.concern import areas

    area = q.ALL_FIELDS["area"]
    assert area in step("person").fields and area in q.CALLBACK.fields and not area.required
    assert [value for value, _ in area.choices] == [*areas.forces(), "unknown", "outside-uk"]
    assert q.validate(step("person"), answers(area="atlantis"))["area"] == "Select one of the options"
    assert q.area_of(answers(area="gwent")) == "gwent"
    assert q.area_of(answers()) == q.area_of(answers(area="atlantis")) == "unknown"


def test_the_areas_are_places_grouped_by_nation_and_welsh_on_welsh_pages() -> None:
    from web.concern import areas

    grouped = dict(areas.groups("en"))
    assert list(grouped) == ["England", "Wales", "Scotland", "Northern Ireland"]
    assert ("metropolitan", "London (not the City of London)") in grouped["England"]
    assert grouped["Scotland"] == [("police-scotland", "Scotland")]
    assert ("north-wales", "Gogledd Cymru") in dict(areas.groups("cy"))["Wales"]
    assert sum(len(places) for places in grouped.values()) == len(areas.forces())

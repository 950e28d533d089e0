"""The questions of the online concern form and the call-back request, and their validation.

Pure code: it knows nothing about HTTP. Labels are English and marked for translation with N_;
templates translate them with _().
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from web.concern import areas
from web.http.forms import clean_text
from web.shell.i18n import N_

YES_NO = (("yes", N_("Yes")), ("no", N_("No")))
YES_NO_UNSURE = (("yes", N_("Yes")), ("no", N_("No")), ("not-sure", N_("I’m not sure")))
PHONE = re.compile(r"^\+?[0-9 ()\-]{6,20}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,185}\.[^@\s]{2,63}$")
HEARD_ABOUT = (
    ("poster", N_("A poster or leaflet")),
    ("social-media", N_("Social media")),
    ("search", N_("A search engine")),
    ("police", N_("The police or a Prevent officer")),
    ("education", N_("A school, college or university")),
    ("health", N_("A doctor, nurse or health service")),
    ("friend-family", N_("A friend or family member")),
    ("news", N_("The news, radio or TV")),
    ("other", N_("Somewhere else")),
    ("not-say", N_("I’d rather not say")),
)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, textarea, radios, checkboxes, select, phone, email
    required: bool = False
    max_length: int = 100
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    required_message: str = ""
    autocomplete: str = "off"


# Where the person lives, as a police force area (web/concern/areas.py, ADR 21): on the form and the call-back
# request. It routes the concern to that area's officers, so it is stored in clear beside the sealed answers.
# Optional, as no one should be kept from sending a concern by a question they cannot or would rather not
# answer: left blank, it is "I don't know", and the national triage team routes the concern.
AREA = Field(
    "area",
    N_("Where does the person you are worried about live? (optional)"),
    "select",
    max_length=40,
    hint=N_("This sends your concern to the team for that area. If you are not sure, choose “I don’t know”."),
    choices=tuple((slug, areas.area_name(slug)) for slug in areas.area_slugs()),
)


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    fields: tuple[Field, ...]
    caption: str = ""


STEPS = (
    Step(
        "danger",
        N_("Is anyone in danger right now?"),
        (
            Field(
                "danger",
                N_("Is anyone in danger right now?"),
                "radios",
                True,
                choices=YES_NO,
                hint=N_("For example, someone is about to hurt themselves or others, or a crime is happening now."),
                required_message=N_("Select yes if anyone is in danger right now"),
            ),
        ),
    ),
    Step(
        "person",
        N_("About the person you are worried about"),
        (
            Field(
                "person_name",
                N_("Their first name, or how you would like to refer to them"),
                required=True,
                max_length=60,
                hint=N_("You do not have to give their full name."),
                required_message=N_("Enter their first name, or how you would like to refer to them"),
            ),
            Field(
                "person_age",
                N_("About how old are they?"),
                "radios",
                True,
                choices=(
                    ("under-13", N_("Under 13")),
                    ("13-17", N_("13 to 17")),
                    ("18-24", N_("18 to 24")),
                    ("25-39", N_("25 to 39")),
                    ("40-64", N_("40 to 64")),
                    ("65-plus", N_("65 or over")),
                    ("not-sure", N_("I’m not sure")),
                ),
                required_message=N_("Select about how old they are"),
            ),
            AREA,
            Field(
                "person_area",
                N_("Which town, city or area do they live in? (optional)"),
                max_length=80,
                hint=N_("This helps us pass your concern to the right local team."),
            ),
            Field(
                "relationship",
                N_("How do you know them?"),
                "radios",
                True,
                choices=(
                    ("parent", N_("I’m their parent or carer")),
                    ("family", N_("I’m another family member")),
                    ("partner", N_("I’m their partner")),
                    ("friend", N_("I’m a friend")),
                    ("community", N_("I know them from my community, work or place of worship")),
                    ("other", N_("Another way")),
                ),
                required_message=N_("Select how you know them"),
            ),
        ),
        caption=N_("Share a concern"),
    ),
    Step(
        "worry",
        N_("What worries you?"),
        (
            Field(
                "worries",
                N_("What has made you worried?"),
                "textarea",
                True,
                max_length=3000,
                hint=N_(
                    "Tell us what you have seen or heard, and anything you think we should know. "
                    "Do not worry about getting it exactly right."
                ),
                required_message=N_("Tell us what has made you worried"),
            ),
            Field(
                "since_when",
                N_("When did you start to notice this?"),
                "radios",
                True,
                choices=(
                    ("days", N_("In the last few days")),
                    ("weeks", N_("In the last few weeks")),
                    ("months", N_("In the last few months")),
                    ("year", N_("More than a year ago")),
                    ("not-sure", N_("I’m not sure")),
                ),
                required_message=N_("Select when you started to notice this"),
            ),
        ),
        caption=N_("Share a concern"),
    ),
    Step(
        "you",
        N_("About you (optional)"),
        (
            Field(
                "your_name",
                N_("Your name (optional)"),
                max_length=80,
                autocomplete="name",
                hint=N_("You can stay anonymous. If you do, we cannot contact you."),
            ),
            Field(
                "contact_phone", N_("A phone number we can use (optional)"), "phone", max_length=20, autocomplete="tel"
            ),
            Field(
                "contact_email",
                N_("An email address we can use (optional)"),
                "email",
                max_length=254,
                autocomplete="email",
            ),
            Field(
                "safe_to_contact",
                N_("Is it safe for us to contact you? (optional)"),
                "radios",
                choices=YES_NO_UNSURE,
                hint=N_("For example, the person you are worried about might see your phone or messages."),
            ),
            Field(
                "safe_times",
                N_("When is it safe to contact you? (optional)"),
                max_length=200,
                hint=N_("For example, weekdays after 6pm."),
            ),
            Field("voicemail_ok", N_("Can we leave a voicemail? (optional)"), "radios", choices=YES_NO),
            Field("text_ok", N_("Can we send you a text message? (optional)"), "radios", choices=YES_NO),
            Field("preferred_language", N_("Which language would you like us to use? (optional)"), max_length=40),
            Field(
                "access_needs",
                N_("Do you need any of these to talk to us? (optional)"),
                "checkboxes",
                choices=(
                    ("text-relay", N_("Text relay (for example Relay UK)")),
                    ("bsl", N_("A British Sign Language interpreter")),
                    ("other", N_("Something else")),
                ),
            ),
            Field("access_other", N_("Tell us what you need (optional)"), max_length=200),
        ),
        caption=N_("Share a concern"),
    ),
    Step(
        "heard",
        N_("How did you hear about us?"),
        (
            Field(
                "heard_about",
                N_("How did you hear about us? (optional)"),
                "radios",
                choices=HEARD_ABOUT,
                hint=N_("This helps us know how people find this service. We only count the answers."),
            ),
        ),
        caption=N_("Share a concern"),
    ),
)
STEP_NAMES = tuple(step.name for step in STEPS)
CHECK = "check"

CALLBACK = Step(
    "callback",
    N_("Ask us to call you back"),
    (
        Field(
            "callback_phone",
            N_("Phone number"),
            "phone",
            True,
            max_length=20,
            autocomplete="tel",
            hint=N_("A UK number, for example 07700 900 982."),
            required_message=N_("Enter a phone number we can call"),
        ),
        Field(
            "callback_times",
            N_("When is it safe to call you?"),
            required=True,
            max_length=200,
            hint=N_("For example, weekdays between 10am and 2pm. We call between 9am and 5pm every day."),
            required_message=N_("Tell us when it is safe to call you"),
        ),
        Field(
            "voicemail_ok",
            N_("Can we leave a voicemail if you do not answer?"),
            "radios",
            True,
            choices=YES_NO,
            required_message=N_("Select yes if we can leave a voicemail"),
        ),
        AREA,
        Field("callback_language", N_("Which language would you like us to use? (optional)"), max_length=40),
        Field("heard_about", N_("How did you hear about us? (optional)"), "radios", choices=HEARD_ABOUT),
    ),
)

ALL_FIELDS = {field.name: field for step in (*STEPS, CALLBACK) for field in step.fields}
# The answers carried from page to page and sealed: not the danger question, which only routes to 999.
FORM_FIELDS = tuple(field.name for step in STEPS[1:] for field in step.fields)


@dataclass
class Answers:
    values: dict[str, str | list[str]] = field(default_factory=dict)

    def get(self, name: str) -> str:
        value = self.values.get(name, "")
        return value if isinstance(value, str) else ",".join(value)

    def get_list(self, name: str) -> list[str]:
        value = self.values.get(name, [])
        return value if isinstance(value, list) else [value] if value else []


def read_answers(form: Mapping[str, object], names: tuple[str, ...]) -> Answers:
    """Take the known fields from a submitted form, cleaned. Unknown fields are ignored."""
    answers = Answers()
    for name in names:
        spec = ALL_FIELDS[name]
        if spec.kind == "checkboxes":
            getlist = getattr(form, "getlist", None)
            raw = getlist(name) if getlist else []
            allowed = {value for value, _ in spec.choices}
            answers.values[name] = [value for value in raw if isinstance(value, str) and value in allowed]
        else:
            raw_value = form.get(name, "")
            answers.values[name] = clean_text(
                raw_value if isinstance(raw_value, str) else "", multiline=spec.kind == "textarea"
            )
    return answers


def validate(step: Step, answers: Answers) -> dict[str, str]:
    """Problems with the step's answers: field name -> message (English, marked for translation)."""
    errors: dict[str, str] = {}
    for spec in step.fields:
        value = answers.get(spec.name)
        if spec.kind == "checkboxes":
            continue
        if not value:
            if spec.required:
                errors[spec.name] = spec.required_message or N_("Answer this question")
            continue
        if len(value) > spec.max_length:
            errors[spec.name] = N_("Keep this to %(limit)d characters or fewer")
        elif spec.kind in ("radios", "select") and value not in {choice for choice, _ in spec.choices}:
            errors[spec.name] = N_("Select one of the options")
        elif spec.kind == "phone" and (not PHONE.match(value) or sum(char.isdigit() for char in value) < 6):
            errors[spec.name] = N_("Enter a phone number using only numbers, spaces and +, like 07700 900 982")
        elif spec.kind == "email" and not EMAIL.match(value):
            errors[spec.name] = N_("Enter an email address in the right format, like name@example.com")
    return errors


def validate_all(answers: Answers) -> tuple[str | None, dict[str, str]]:
    """The first form step with a problem, and its problems; (None, {}) when every step is right."""
    for step in STEPS[1:]:
        errors = validate(step, answers)
        if errors:
            return step.name, errors
    return None, {}


def step_named(name: str) -> Step | None:
    return next((step for step in STEPS if step.name == name), None)


def step_of_field(name: str) -> Step | None:
    """The form step that asks the question `name` (not the call-back request's)."""
    return next((step for step in STEPS if any(spec.name == name for spec in step.fields)), None)


def next_step(name: str) -> str:
    index = STEP_NAMES.index(name)
    return STEP_NAMES[index + 1] if index + 1 < len(STEP_NAMES) else CHECK


def previous_step(name: str) -> str | None:
    """The step before `name` (a step or CHECK), or None before the first question: the start page."""
    if name == CHECK:
        return STEP_NAMES[-1]
    index = STEP_NAMES.index(name)
    return STEP_NAMES[index - 1] if index > 0 else None


def focus_id(spec: Field, answers: Answers) -> str:
    """The id of the control a reader lands on to change `spec`: the field itself, or for radios and
    checkboxes the first chosen option (GOV.UK numbers them `name`, `name-2`, `name-3` ...), else the first."""
    if spec.kind not in ("radios", "checkboxes"):
        return spec.name
    chosen = answers.get_list(spec.name) if spec.kind == "checkboxes" else [answers.get(spec.name)]
    for index, (value, _) in enumerate(spec.choices, start=1):
        if value in chosen:
            return spec.name if index == 1 else f"{spec.name}-{index}"
    return spec.name


def area_of(answers: Answers) -> str:
    """The area to route the concern to: the answer when it is one (validated), else UNKNOWN."""
    value = answers.get(AREA.name)
    return value if value in dict(AREA.choices) else areas.UNKNOWN


def sealed_payload(route: str, answers: Answers, lang: str, submitted_at: str) -> dict[str, object]:
    """What is sealed for the officers: every answer, with labels the console can show."""
    return {"route": route, "language": lang, "submitted_at": submitted_at, "answers": dict(answers.values)}

"""Triage at a glance (issue 20): what an officer needs to choose what to open first, from the concerns on the
page shown, opened in memory on the console's server while the page is made and then dropped. Never stored,
never logged, never cached (the console's pages are no-store); only the fifty concerns of the page are opened,
never the whole queue.

From the online form: the person's age band, when the sender started to notice (how long ago the worry began),
whether it is safe to contact the sender and when, the language asked for and access needs (text relay, an
interpreter). From a call-back request: when it is safe to call, and the language asked for. What the sender
did not answer says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey

from web.concern.questions import ALL_FIELDS
from web.sealing import unseal

NOT_GIVEN = "Not given"
SAFE = {"yes": "Safe to contact", "no": "Not safe to contact", "not-sure": "Sender not sure it is safe"}


@dataclass(frozen=True)
class Glance:
    age: str
    started: str
    contact: str
    needs: str


UNOPENABLE = Glance("Cannot be opened", "", "", "")


def glances(keys: Sequence[PrivateKey], sealed: Mapping[str, bytes]) -> dict[str, Glance]:
    """Each concern's glance, by reference."""
    return {reference: _glance(keys, body) for reference, body in sealed.items()}


def _glance(keys: Sequence[PrivateKey], sealed: bytes) -> Glance:
    try:
        answers: dict[str, Any] = unseal(keys, sealed).get("answers", {})
    except (CryptoError, ValueError):
        return UNOPENABLE
    if "callback_phone" in answers:
        return Glance(
            "Not asked (call back)",
            "Not asked (call back)",
            "Call back: " + (_text(answers, "callback_times") or NOT_GIVEN),
            _language(answers, "callback_language", []),
        )
    return Glance(
        _label(answers, "person_age"),
        _label(answers, "since_when"),
        _contact(answers),
        _language(answers, "preferred_language", _needs(answers)),
    )


def _text(answers: Mapping[str, Any], name: str) -> str:
    value = answers.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _label(answers: Mapping[str, Any], name: str) -> str:
    value = _text(answers, name)
    return str(dict(ALL_FIELDS[name].choices).get(value, value)) if value else NOT_GIVEN


def _contact(answers: Mapping[str, Any]) -> str:
    if not (_text(answers, "contact_phone") or _text(answers, "contact_email")):
        return "Anonymous: no way to contact"
    safe, when = _text(answers, "safe_to_contact"), _text(answers, "safe_times")
    said = SAFE.get(safe, "Not said if safe to contact")
    return f"{said}: {when}" if when and safe != "no" else said


def _needs(answers: Mapping[str, Any]) -> list[str]:
    chosen = answers.get("access_needs", [])
    labels = dict(ALL_FIELDS["access_needs"].choices)
    needs = (
        [str(labels[value]) for value in chosen if value in labels and value != "other"]
        if isinstance(chosen, list)
        else []
    )
    if isinstance(chosen, list) and "other" in chosen:
        needs.append(_text(answers, "access_other") or str(labels["other"]))
    return needs


def _language(answers: Mapping[str, Any], name: str, needs: list[str]) -> str:
    language = _text(answers, name)
    said = ([f"Language: {language}"] if language else []) + needs
    return "; ".join(said) if said else "None asked for"

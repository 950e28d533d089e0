"""The launch's routes, for web/app.py to spread into its list (before the advice pages' catch-all)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from web.launch import measured, partner_feedback, partners, satisfaction


def routes() -> list[BaseRoute]:
    return [
        Route("/{lang:str}/partners", partners.partners_page, name="partners_page"),
        Route("/{lang:str}/partners", partners.partners_check, methods=["POST"], name="partners_check"),
        Route("/{lang:str}/partners/feedback", partner_feedback.partner_feedback_form, name="partner_feedback_form"),
        Route(
            "/{lang:str}/partners/feedback",
            partner_feedback.partner_feedback_send,
            methods=["POST"],
            name="partner_feedback_send",
        ),
        Route(
            "/{lang:str}/partners/feedback/thanks",
            partner_feedback.partner_feedback_thanks,
            name="partner_feedback_thanks",
        ),
        Route("/{lang:str}/what-did-you-think", satisfaction.satisfaction_form, name="satisfaction_form"),
        Route(
            "/{lang:str}/what-did-you-think",
            satisfaction.satisfaction_send,
            methods=["POST"],
            name="satisfaction_send",
        ),
        Route("/{lang:str}/what-did-you-think/thanks", satisfaction.satisfaction_thanks, name="satisfaction_thanks"),
        Route("/{lang:str}/how-this-site-is-measured", measured.measured_page, name="measured_page"),
        Route("/{lang:str}/how-this-site-is-measured/figures.csv", measured.measured_csv, name="measured_csv"),
    ]

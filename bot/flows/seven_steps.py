"""Flows, seven steps: the source article's seven steps as one resumable journey with progress."""

from __future__ import annotations

from bot.flows.base import Flow, Step

SEVEN_STEPS = Flow(
    id="seven_steps",
    title_key="flows.seven.title",
    steps=(
        Step("recognise", "flows.seven.recognise", ("civil-code:1033", "civil-code:1032"), uses_evidence=True),
        Step(
            "preserve",
            "flows.seven.preserve",
            ("civil-procedure-law:66", "civil-procedure-law:67"),
            "evidence_summary",
        ),
        Step(
            "tell_collector",
            "flows.seven.tell_collector",
            ("civil-code:1033", "pipl:10", "civil-code:997"),
            "cease_notice",
        ),
        Step(
            "complain_lender",
            "flows.seven.complain_lender",
            ("civil-code:1033", "pipl:10", "pipl:44"),
            "lender_complaint",
        ),
        Step(
            "complain_operator",
            "flows.seven.complain_operator",
            ("telecom-user-info-protection-rules:4",),
            "carrier_complaint",
        ),
        Step(
            "police_or_court",
            "flows.seven.police_or_court",
            ("criminal-law:293", "soft-violence-opinions:1", "civil-code:997", "civil-code:1183"),
            "police_report",
        ),
        Step("regulators", "flows.seven.regulators", ("credit-reporting-regulation:26",), "nfra_12378_complaint"),
    ),
)

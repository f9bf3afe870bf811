"""Writes on the directory. Every function checks the actor, audits, and runs in one transaction."""

from __future__ import annotations

from contacts.services._common import TwoPersonRuleError, require_directory_admin
from contacts.services.appeals import AppealInput, appeal_decide, appeal_submit, masked_contact
from contacts.services.channels import (
    EvidenceInput,
    channel_propose,
    channel_retire,
    channel_suspend,
    evidence_add,
    proposal_approve,
    proposal_reject,
    proposal_withdraw,
)
from contacts.services.platforms import (
    domain_proposal_approve,
    domain_proposal_reject,
    domain_proposal_withdraw,
    domain_propose,
    domain_remove,
    platform_save,
    platform_update_with_domains,
    website_clear,
    website_propose,
)
from contacts.services.reports import (
    FORM_TOKEN_MAX_AGE,
    ReportInput,
    form_nonce_use,
    reported_value_confirm,
    reported_value_dismiss,
    reported_value_merge,
    reporter_hash,
    reporter_network,
    scam_report_submit,
    value_is_official,
)
from contacts.services.review import sweep_review_overdue

__all__ = [
    "FORM_TOKEN_MAX_AGE",
    "AppealInput",
    "EvidenceInput",
    "ReportInput",
    "TwoPersonRuleError",
    "appeal_decide",
    "appeal_submit",
    "channel_propose",
    "channel_retire",
    "channel_suspend",
    "domain_proposal_approve",
    "domain_proposal_reject",
    "domain_proposal_withdraw",
    "domain_propose",
    "domain_remove",
    "evidence_add",
    "form_nonce_use",
    "masked_contact",
    "platform_save",
    "platform_update_with_domains",
    "proposal_approve",
    "proposal_reject",
    "proposal_withdraw",
    "reported_value_confirm",
    "reported_value_dismiss",
    "reported_value_merge",
    "reporter_hash",
    "reporter_network",
    "require_directory_admin",
    "scam_report_submit",
    "sweep_review_overdue",
    "value_is_official",
    "website_clear",
    "website_propose",
]

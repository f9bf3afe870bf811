"""Filing a claim and the customer's side of its life: reply, withdraw, confirm, reopen, rate.

services (writes) · selectors (reads) · references (reference and subject line) · notices (what we tell the
customer after masking) · views, forms, urls, drafts (the customer's pages)."""

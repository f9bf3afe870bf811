"""Signals the core sends for the apps to act on (it imports none of them). Its own receivers live in
``helpdesk/receivers.py``, so a service can send one of these without importing a receiver's services."""

from __future__ import annotations

from django.dispatch import Signal

# Sent (user=...) inside the transaction that verifies a person's phone number: other apps act on it
# (tickets arranges the call-backs waiting for a verified number) without helpdesk importing them.
phone_verified = Signal()

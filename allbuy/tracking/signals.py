"""Consent and the visitor link follow the account at sign-in."""

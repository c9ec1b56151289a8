"""Grants: how a recipient outside AllBuy (a merchant, a carrier) reads personal data, and nothing else does.

A grant names one recipient, one record of one subject, the fields, the purpose and a period. Reading
through it (`granted_read`) checks all of that, then goes through the ordinary purpose check of the data
map and the access log (`personal_data_read`), so the customer sees every read on their "My privacy" page.
A recipient of the data map's GRANT_RECIPIENTS kinds can read in no other way: the privacy services refuse
them without a grant. After the grant ends — its period is over, or it was revoked — the same read raises
`GrantEnded` (HTTP 410, code `grant_expired`) with the reason, and the screens show the data as withheld.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models

from allbuy.core import clock
from allbuy.core.errors import ApplicationError
from allbuy.privacy.datamap import GRANT_RECIPIENTS
from allbuy.privacy.models import AccessGrant
from allbuy.privacy.services import Actor, personal_data_read_many


class GrantEnded(ApplicationError):
    code = "grant_expired"
    status = 410


class NoGrant(ApplicationError):
    code = "not_granted"
    status = 403


def record_key(instance: models.Model) -> str:
    return f"{instance._meta.label}:{instance.pk}"


def grant_create(
    *,
    actor: Actor,
    instance: models.Model,
    fields: Sequence[str],
    purpose: str,
    valid_from: datetime,
    context: dict[str, str] | None = None,
) -> AccessGrant:
    """Let `actor` read `fields` of `instance` for `purpose` from `valid_from` until the grant is closed or revoked."""
    if actor.kind not in GRANT_RECIPIENTS:
        raise ValueError(f"{actor.kind} reads without grants")
    label = instance._meta.label
    return AccessGrant.objects.create(
        subject_id=instance.subject_id,  # type: ignore[attr-defined]
        recipient_kind=str(actor.kind),
        recipient_ref=actor.ref,
        recipient_label=actor.label,
        record=record_key(instance),
        fields=[f"{label}.{name}" for name in fields],
        purpose=purpose,
        context=context or {},
        valid_from=valid_from,
    )


def grants_close(*, grants: models.QuerySet[AccessGrant], at: datetime, days_after: int) -> int:
    """Set the end of open grants to `at` plus `days_after` days (e.g. delivery plus the shipping window)."""
    return grants.filter(valid_until__isnull=True, revoked_at__isnull=True).update(valid_until=at + timedelta(days=days_after))


def grants_revoke(*, grants: models.QuerySet[AccessGrant], reason: str, now: datetime | None = None) -> int:
    """End the grants at once (an order cancelled); reads refused from now on, with `reason`."""
    return grants.filter(revoked_at__isnull=True).update(revoked_at=now or clock.now(), revoke_reason=reason[:120])


@dataclass(frozen=True)
class GrantState:
    grant: AccessGrant | None
    valid: bool
    reason: str  # why the data is withheld, for the screen; empty when valid


def grant_state(
    *,
    actor: Actor,
    instance: models.Model,
    fields: Sequence[str],
    purpose: str,
    now: datetime,
    within: dict[str, str] | None = None,
) -> GrantState:
    """Tell whether `actor` may read `fields` of `instance` now, and if not, why (no grant, ended, revoked).

    `within` narrows the grants to those made for that context (e.g. {"shipment": "<uuid>"}): a grant for one
    shipment of an order never opens another shipment of the same order.
    """
    label = instance._meta.label
    wanted = {f"{label}.{name}" for name in fields}
    scope = (within or {}).items()
    candidates = AccessGrant.objects.filter(recipient_ref=actor.ref, record=record_key(instance), purpose=purpose)
    grants = [
        g
        for g in candidates.order_by("-valid_from")
        if wanted <= set(g.fields) and all(g.context.get(key) == value for key, value in scope)
    ]
    if not grants:
        return GrantState(grant=None, valid=False, reason="You have no access to this customer data.")
    for grant in grants:
        if grant.revoked_at is None and grant.valid_from <= now and (grant.valid_until is None or now < grant.valid_until):
            return GrantState(grant=grant, valid=True, reason="")
    latest = grants[0]
    if latest.revoked_at is not None:
        reason = f"Access ended on {latest.revoked_at:%d %b %Y}: {latest.revoke_reason or 'revoked'}."
    elif latest.valid_until is not None and now >= latest.valid_until:
        reason = f"Access ended on {latest.valid_until:%d %b %Y}, after delivery; the customer's data is no longer shared."
    else:
        reason = f"Access starts on {latest.valid_from:%d %b %Y}."
    return GrantState(grant=latest, valid=False, reason=reason)


def granted_read(
    *,
    actor: Actor,
    instance: models.Model,
    fields: Sequence[str],
    purpose: str,
    now: datetime | None = None,
    context: dict[str, str] | None = None,
    within: dict[str, str] | None = None,
) -> dict[str, str]:
    """Return `fields` of `instance` for `actor` under a valid grant (logged), or raise NoGrant / GrantEnded."""
    moment = now or clock.now()
    state = grant_state(actor=actor, instance=instance, fields=fields, purpose=purpose, now=moment, within=within)
    if state.grant is None:
        raise NoGrant(state.reason)
    if not state.valid:
        raise GrantEnded(state.reason, extra={"reason": state.reason})
    logged = {**state.grant.context, **(context or {}), "grant": str(state.grant.pk)}
    return personal_data_read_many(
        actor=actor, instances=[instance], fields=fields, purpose=purpose, context=logged, _grant=state.grant
    )[0]

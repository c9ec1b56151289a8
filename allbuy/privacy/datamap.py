"""The data map: every piece of personal data AllBuy holds, why, who receives it, how long it is kept.

This one declaration drives the system check (no undeclared personal field, no undeclared purpose),
the purpose check of every read by someone other than the subject, the "My privacy" page, the data
export, and the tables of the public privacy policy. Categories and purposes follow the shape of the
fideslang taxonomy. There is no purpose for selling or renting personal data, and the system check
fails if one is ever added.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings


class Purpose(StrEnum):
    SERVICE = "essential.service"
    SHIPPING = "essential.service.shipping"
    SECURITY = "essential.service.security"
    FRAUD = "essential.fraud_detection"
    LEGAL = "essential.legal_obligation"
    MARKETING_EMAIL = "marketing.communications.email"
    PERSONALISE = "personalize.content"
    ANALYTICS = "analytics.reporting"


PURPOSE_TEXT: dict[Purpose, str] = {
    Purpose.SERVICE: "to run your account and your orders, and to answer your questions",
    Purpose.SHIPPING: "to pack and deliver what you bought",
    Purpose.SECURITY: "to keep your account and our service secure (sign-in, lockout after failed attempts)",
    Purpose.FRAUD: "to detect and prevent fraud and abuse of our terms",
    Purpose.LEGAL: "to meet legal obligations such as tax records, and answer lawful requests",
    Purpose.MARKETING_EMAIL: "to email you offers — only if you opted in; unsubscribe with one click",
    Purpose.PERSONALISE: "to tailor the products you see — only with your consent",
    Purpose.ANALYTICS: "to understand, in aggregate, how the shop is used — only with your consent",
}


class Recipient(StrEnum):
    """Who may read a field. Anyone else reading it is refused."""

    ALLBUY = "allbuy"  # AllBuy's own staff and systems
    MERCHANT = "merchant"  # the merchant fulfilling a shipment, only through a shipping grant
    CARRIER = "carrier"  # the carrier delivering a shipment, only through a shipping grant
    PAYMENT_PROCESSOR = "processor.payment"
    EMAIL_PROCESSOR = "processor.email"


RECIPIENT_TEXT: dict[Recipient, str] = {
    Recipient.ALLBUY: "AllBuy",
    Recipient.MERCHANT: "the merchant fulfilling your order (only while shipping it)",
    Recipient.CARRIER: "the carrier delivering your order (only while shipping it)",
    Recipient.PAYMENT_PROCESSOR: "our payment processor",
    Recipient.EMAIL_PROCESSOR: "our email delivery provider",
}
GRANT_RECIPIENTS = frozenset({Recipient.MERCHANT, Recipient.CARRIER})


class LegalBasis(StrEnum):
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal obligation"
    LEGITIMATE_INTEREST = "legitimate interest"
    CONSENT = "consent"


@dataclass(frozen=True)
class Retention:
    name: str
    description: str
    period: timedelta | None  # None: as long as the account exists


RETENTION: dict[str, Retention] = {
    "profile": Retention("profile", "while your account exists; shredded when you delete it", None),
    "tax": Retention("tax", "10 years after the order (tax law), then shredded", timedelta(days=3653)),
    "session": Retention("session", "2 weeks after your last visit", timedelta(days=14)),
    "security": Retention("security", "30 days", timedelta(days=30)),
    "events": Retention(
        "events",
        f"{settings.ALLBUY_EVENT_RETENTION_DAYS} days, then deleted (at once when you withdraw your consent)",
        timedelta(days=settings.ALLBUY_EVENT_RETENTION_DAYS),
    ),
    "visitor": Retention(
        "visitor",
        f"as long as the visitor-id cookie lives ({settings.ALLBUY_VISITOR_ID_DAYS} days), and not after you withdraw consent",
        timedelta(days=settings.ALLBUY_VISITOR_ID_DAYS),
    ),
}


@dataclass(frozen=True)
class PersonalField:
    field: str  # "app_label.Model.field"
    category: str  # fideslang-shaped data category, e.g. "user.contact.email"
    description: str  # what the customer sees
    purposes: tuple[Purpose, ...]
    recipients: tuple[Recipient, ...]
    retention: str
    legal_basis: LegalBasis
    encrypted: bool = True
    protection: str = "AES-256-GCM with a key of your own"
    exported: bool = True  # included in "download my data"

    @property
    def model_label(self) -> str:
        return self.field.rsplit(".", 1)[0]

    @property
    def name(self) -> str:
        return self.field.rsplit(".", 1)[1]

    def allows(self, *, recipient: str, purpose: str) -> bool:
        """Whether `recipient` may read this field for `purpose`. Merchants and carriers only ever for shipping."""
        if recipient in GRANT_RECIPIENTS and purpose != Purpose.SHIPPING:
            return False
        return recipient in self.recipients and purpose in self.purposes


P, R, B = Purpose, Recipient, LegalBasis
SHIPPING_RECIPIENTS = (R.ALLBUY, R.MERCHANT, R.CARRIER)

DATA_MAP: tuple[PersonalField, ...] = (
    PersonalField(
        "accounts.User.contact_email", "user.contact.email", "your email address",
        (P.SERVICE, P.SECURITY, P.MARKETING_EMAIL), (R.ALLBUY, R.EMAIL_PROCESSOR), "profile", B.CONTRACT,
    ),
    PersonalField(
        "accounts.User.email", "user.unique_id.pseudonymous",
        "a keyed hash of your email address, used to find your account at sign-in (the address cannot be read from it)",
        (P.SERVICE, P.SECURITY), (R.ALLBUY,), "profile", B.CONTRACT,
        encrypted=False, protection="HMAC-SHA256 blind index; not reversible", exported=False,
    ),
    PersonalField(
        "accounts.User.full_name", "user.name", "your name",
        (P.SERVICE,), (R.ALLBUY,), "profile", B.CONTRACT,
    ),
    PersonalField(
        "accounts.User.phone", "user.contact.phone", "your phone number",
        (P.SERVICE, P.SECURITY), (R.ALLBUY,), "profile", B.CONTRACT,
    ),
    PersonalField(
        "accounts.User.password", "user.authorization.credentials", "your password, stored only as a salted hash",
        (P.SECURITY,), (R.ALLBUY,), "profile", B.CONTRACT,
        encrypted=False, protection="salted PBKDF2 hash; the password itself is never stored", exported=False,
    ),
    *(
        PersonalField(
            f"accounts.Address.{name}", category, text,
            (P.SERVICE, P.SHIPPING), SHIPPING_RECIPIENTS, "profile", B.CONTRACT,
        )
        for name, category, text in (
            ("recipient_name", "user.name", "the recipient's name on a shipping address"),
            ("line1", "user.contact.address.street", "street address"),
            ("line2", "user.contact.address.street", "street address, second line"),
            ("city", "user.contact.address.city", "city"),
            ("region", "user.contact.address.state", "region or state"),
            ("postcode", "user.contact.address.postal_code", "postcode"),
            ("country", "user.contact.address.country", "country"),
            ("phone", "user.contact.phone", "the phone number for delivery"),
        )
    ),
    *(
        PersonalField(
            f"orders.Order.{name}", category, text,
            (P.SERVICE, P.SHIPPING, P.LEGAL), SHIPPING_RECIPIENTS, "tax", B.LEGAL_OBLIGATION,
        )
        for name, category, text in (
            ("recipient_name", "user.name", "the recipient's name on an order you placed"),
            ("line1", "user.contact.address.street", "the street address an order was shipped to"),
            ("line2", "user.contact.address.street", "its second line"),
            ("city", "user.contact.address.city", "its city"),
            ("region", "user.contact.address.state", "its region or state"),
            ("postcode", "user.contact.address.postal_code", "its postcode"),
            ("country", "user.contact.address.country", "its country"),
            ("phone", "user.contact.phone", "the phone number for that delivery"),
        )
    ),
    PersonalField(
        "account.EmailAddress.email", "user.unique_id.pseudonymous",
        "the same keyed hash of your email address, used by the sign-in system to verify it",
        (P.SERVICE, P.SECURITY), (R.ALLBUY,), "profile", B.CONTRACT,
        encrypted=False, protection="HMAC-SHA256 blind index; not reversible", exported=False,
    ),
    PersonalField(
        "socialaccount.SocialAccount.uid", "user.unique_id.pseudonymous",
        "a keyed hash of your Facebook account id, if you sign in with Facebook",
        (P.SERVICE, P.SECURITY), (R.ALLBUY,), "profile", B.CONTRACT,
        encrypted=False, protection="HMAC-SHA256 blind index; not reversible", exported=False,
    ),
    PersonalField(
        "socialaccount.SocialAccount.extra_data", "user.unique_id",
        "nothing: the rest of your Facebook profile is discarded at sign-in",
        (P.SERVICE,), (R.ALLBUY,), "profile", B.CONTRACT,
        encrypted=False, protection="kept empty (a test proves it)", exported=False,
    ),
    # Behaviour events: only with consent to analytics or personalisation, tied to nothing but a keyed hash of a
    # random cookie; written by allbuy.tracking.services.events_store, read by the recommendation job and the export.
    PersonalField(
        "tracking.Event.visitor", "user.device.cookie_id",
        "a keyed hash of the random visitor id in your browser's allbuy_vid cookie (only with your consent)",
        (P.ANALYTICS, P.PERSONALISE), (R.ALLBUY,), "events", B.CONSENT,
        encrypted=False, protection="HMAC-SHA256 pseudonym; the cookie's value is never stored", exported=False,
    ),
    *(
        PersonalField(
            f"tracking.Event.{name}", category, text, (P.ANALYTICS, P.PERSONALISE), (R.ALLBUY,), "events", B.CONSENT,
            encrypted=False, protection="pseudonymous: linked only to the hashed visitor id", exported=False,
        )
        for name, category, text in (
            ("kind", "user.behavior.browsing_history", "what you did: viewed a page or product, searched, used the cart, bought"),
            ("path", "user.behavior.browsing_history", "the pages you viewed, without their query strings"),
            ("product_id", "user.behavior.browsing_history", "the products you viewed, put in or out of your cart, or bought"),
            ("step", "user.behavior.browsing_history", "how far you went through checkout"),
            ("device", "user.device", "your device class (phone, tablet or computer), read from your browser's user agent"),
            ("screen", "user.device", "a screen-size bucket (e.g. 481–768 px), never the exact size"),
            ("ttfb_ms", "user.device.performance", "how long our server took to answer your page"),
            ("dom_ready_ms", "user.device.performance", "how long your page took to become usable"),
            ("load_ms", "user.device.performance", "how long your page took to load completely"),
        )
    ),
    PersonalField(
        "tracking.Event.query", "user.behavior.search_history",
        "what you searched for, with anything that looks like an email address or a phone number cut out first",
        (P.ANALYTICS, P.PERSONALISE), (R.ALLBUY,), "events", B.CONSENT,
        protection="AES-256-GCM under a system key; emails and phone numbers removed before storage", exported=False,
    ),
    PersonalField(
        "tracking.VisitorLink.visitor", "user.device.cookie_id",
        "the link between your hashed visitor id and your account, made when you sign in with analytics or personalisation on",
        (P.ANALYTICS, P.PERSONALISE), (R.ALLBUY,), "visitor", B.CONSENT,
        encrypted=False, protection="HMAC-SHA256 pseudonym; deleted when you withdraw consent", exported=False,
    ),
    *(
        PersonalField(
            f"tracking.ConsentRecord.{name}", "user.privacy_preferences", text, (P.SERVICE, P.LEGAL), (R.ALLBUY,),
            "profile", B.LEGAL_OBLIGATION, encrypted=False, protection="your choices only; no identifier of your browser",
            exported=False,
        )
        for name, text in (
            ("analytics", "whether you allowed analytics, when and under which policy version"),
            ("personalisation", "whether you allowed personalisation"),
            ("marketing", "whether you allowed marketing"),
            ("gpc", "whether your browser sent Global Privacy Control when you chose"),
        )
    ),
    PersonalField(
        "sessions.Session.session_data", "user.device.cookie_id",
        "your signed-in session (which account, when you signed in)",
        (P.SERVICE, P.SECURITY), (R.ALLBUY,), "session", B.CONTRACT,
        encrypted=True, protection="AES-256-GCM under a system key", exported=False,
    ),
)  # fmt: skip


# Fields whose names look personal but are not, or that are never written; each with the reason.
NOT_PERSONAL: dict[str, str] = {
    "catalog.Brand.name": "a brand's name",
    "catalog.Category.name": "a product category's name",
    "catalog.Product.name": "a product's name",
    "catalog.Product.search_document": "a product's words for the search index (name, brand, specs)",
    "orders.Order.request_fingerprint": "a hash of what a checkout attempt asked for, to tell a retry from a new attempt",
    "auth.Group.name": "a staff permission group's name",
    "auth.Permission.name": "a permission's name",
    "auth.Permission.codename": "a permission's code",
    "contenttypes.ContentType.app_label": "a code name",
    "admin.LogEntry.object_repr": "object descriptions never contain personal data (every model's __str__ is an id)",
    "admin.LogEntry.change_message": "lists which fields changed, not their values",
    "sessions.Session.session_key": "a random identifier; the session's content is encrypted and declared",
    "socialaccount.SocialApp.name": "the name of a sign-in provider app (Facebook)",
    "socialaccount.SocialApp.client_id": "AllBuy's own app id at the provider",
    "socialaccount.SocialApp.secret": "AllBuy's own app secret at the provider",
    "socialaccount.SocialToken.token": "never written: SOCIALACCOUNT_STORE_TOKENS is off (a test proves the table stays empty)",
    "socialaccount.SocialToken.token_secret": "never written: SOCIALACCOUNT_STORE_TOKENS is off",
    "account.EmailConfirmation.key": "a random one-time code",
    "axes.AccessAttempt.ip_address": "never written: django-axes keeps its counters in the cache, not the database",
    "axes.AccessAttempt.username": "never written: django-axes keeps its counters in the cache",
    "axes.AccessAttempt.user_agent": "never written: django-axes keeps its counters in the cache",
    "axes.AccessAttempt.get_data": "never written: django-axes keeps its counters in the cache",
    "axes.AccessAttempt.post_data": "never written: django-axes keeps its counters in the cache",
    "axes.AccessLog.ip_address": "never written: AXES_DISABLE_ACCESS_LOG is on",
    "axes.AccessLog.username": "never written: AXES_DISABLE_ACCESS_LOG is on",
    "axes.AccessLog.user_agent": "never written: AXES_DISABLE_ACCESS_LOG is on",
    "axes.AccessFailureLog.ip_address": "never written: AXES_ENABLE_ACCESS_FAILURE_LOG is off",
    "axes.AccessFailureLog.username": "never written: AXES_ENABLE_ACCESS_FAILURE_LOG is off",
    "axes.AccessFailureLog.user_agent": "never written: AXES_ENABLE_ACCESS_FAILURE_LOG is off",
    "axes.AccessAttemptExpiration.attempt": "never written: django-axes keeps its counters in the cache",
    "privacy.AccessLogEntry.actor_label": "names the merchant, carrier or AllBuy team, never a person",
    "privacy.PolicyVersion.title": "the policy's title",
    "payments.TestGatewayCharge.card_brand": "the card network (visa, mastercard, …) in the test payment provider's own ledger",
    "payments.TestGatewayCharge.card_last4": (
        "the last four digits of a card, as every receipt prints them: they identify neither a card nor a person"
        " (the test payment provider's own ledger; the full number and the CVC are never stored)"
    ),
    "privacy.AccessGrant.recipient_kind": "the kind of business a grant is for (merchant, carrier)",
    "privacy.AccessGrant.recipient_ref": "an opaque id of the merchant or carrier, never a person",
    "privacy.AccessGrant.recipient_label": "the business's name as the customer sees it",
    "fulfilment.Merchant.name": "a business's name",
    "fulfilment.Carrier.name": "a shipping company's name",
    "fulfilment.Carrier.webhook_secret": "a carrier's signing secret (a credential), encrypted under a system key",
    "orders.OrderLine.product_name": "the name of the product bought, copied from the catalog",
    "orders.Payment.card_brand": "the card network only (Visa, Mastercard…), never a card number; it identifies nobody",
}


@dataclass(frozen=True)
class Egress:
    """Data that leaves AllBuy for a processor at the moment it is needed, and whether AllBuy keeps a copy."""

    recipient: Recipient
    purpose: Purpose
    items: tuple[str, ...]  # "app_label.Type.field" of what is sent, e.g. "payments.Card.number"
    description: str  # what the customer sees
    stored_by_allbuy: bool
    category: str = ""  # fideslang-shaped category when the items are personal data, "" when they are not

    @property
    def personal(self) -> bool:
        return bool(self.category)


# Everything AllBuy sends to a processor. A test compares each processor's request types field by field with
# this declaration, so nothing new can be sent without being declared (and shown on the policy page).
EGRESS: tuple[Egress, ...] = (
    Egress(
        R.PAYMENT_PROCESSOR, P.SERVICE,
        ("payments.Card.number", "payments.Card.exp_month", "payments.Card.exp_year", "payments.Card.cvc"),
        "your card number, its expiry date and its security code (CVC), when you pay by card",
        stored_by_allbuy=False, category="user.financial.credit_card",
    ),
    Egress(
        R.PAYMENT_PROCESSOR, P.SERVICE,
        ("payments.AuthorizeRequest.reference", "payments.AuthorizeRequest.amount", "payments.AuthorizeRequest.idempotency_key"),
        "the amount to pay, your order's reference and a one-time request key (not personal data)",
        stored_by_allbuy=True,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Cookie:
    """A cookie the shop sets. Tests fail when a response sets one that is not declared here."""

    name: str
    group: str  # "strictly necessary", or the consent group it needs: analytics, personalisation, marketing
    purpose: str
    lifetime: str


COOKIES: tuple[Cookie, ...] = (
    Cookie("csrftoken", "strictly necessary", "protects your forms against forgery by other sites", "1 year"),
    Cookie("sessionid", "strictly necessary", "keeps you signed in and remembers your cart", "2 weeks"),
    Cookie("messages", "strictly necessary", "carries a one-time notice (“added to your cart”) to the next page", "until shown"),
    Cookie("allbuy_consent", "strictly necessary", "remembers the choice you made about the groups below", "180 days"),
    Cookie(
        "allbuy_vid", "analytics or personalisation",
        "a random visitor id that links the pages you view here; we store only a keyed hash of it",
        f"{settings.ALLBUY_VISITOR_ID_DAYS} days, deleted at once when you withdraw consent",
    ),
)  # fmt: skip
COOKIE_NAMES = frozenset(cookie.name for cookie in COOKIES)


def egress_items_for(recipient: Recipient) -> frozenset[str]:
    """Return every item declared to leave AllBuy for `recipient`."""
    return frozenset(item for egress in EGRESS if egress.recipient == recipient for item in egress.items)


def declaration_for(label: str) -> PersonalField | None:
    return _BY_FIELD.get(label)


_BY_FIELD = {decl.field: decl for decl in DATA_MAP}

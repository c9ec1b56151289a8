"""Publish AllBuy's first privacy policy, version 1.0, in effect from 2026-11-01 00:00 UTC.

The text is written into this migration on purpose: a published version is history, and must read the same
in every database, whatever later code says.
"""

from datetime import UTC, datetime

from django.db import migrations

VERSION = "1.0"
PUBLISHED_AT = datetime(2026, 11, 1, tzinfo=UTC)
TITLE = "AllBuy privacy policy"
SUMMARY = (
    "The first version of AllBuy's privacy policy: the promises of the policy the shop grew from, "
    "rewritten to say exactly what our software does with your data."
)
BODY = """\
AllBuy sells phones, wearables and accessories online. This policy explains what we know about you, why we \
know it, who else gets to see it, how long we keep it and how we protect it. It covers the AllBuy shop and \
every AllBuy service that links to it.

The tables under this text are generated from the same declaration that the shop's software obeys. It lists \
every piece of personal data the software stores, and our automated checks fail if the code stores personal \
data the declaration does not list. If this text and the tables ever seem to disagree, the tables describe \
what the software actually does.

## What we collect

- **Your contact details.** When you open an account: your email address and, if you add them, your name and \
phone number.
- **Your delivery addresses.** For each address in your address book: the recipient's name, the address and a \
phone number for the delivery.
- **Your password** — except that we never store it. We keep only a salted hash, which can check a password \
but cannot be turned back into one.
- **What Facebook tells us, if you sign in with Facebook.** We ask Facebook for your name and email address \
only. We keep a keyed hash of your Facebook account number so that we recognise you next time; everything \
else in the profile Facebook sends is discarded at once, and we keep no Facebook access tokens.
- **Technical information.** Like every website, ours receives your IP address and a description of your \
browser with each request. We use them to answer the request, and to count failed sign-in attempts for 15 \
minutes so that someone guessing passwords gets locked out. Our servers do not record your IP address \
with the pages you ask for. When you sign in, a cookie keeps you signed in; the session behind it is stored \
encrypted and expires after two weeks.

We keep no record of what you browse or search, and we build no profile of you. Later versions of the shop will offer personalised \
recommendations and measure how the shop is used; they will collect that information only if you agree to \
it, and this policy will say exactly what they collect before they arrive.

## How we use it

- To run your account and your orders, and to answer your questions.
- To pack and deliver what you buy.
- To keep your account and the shop secure.
- To detect and prevent fraud and abuse of our terms.
- To meet legal obligations, such as keeping tax records, and to answer lawful requests.
- To email you offers, but only if you asked for them. Every offer email has a one-click unsubscribe link.

Whenever someone other than you reads your personal data — an AllBuy team member, a merchant, a carrier, or \
a company that works for us — our software first checks that the reason is one this policy allows for that \
piece of data and that reader, and then records who read what, and why. You can see every one of these \
records on your [My privacy](/accounts/privacy/) page.

## Who we share it with

**We do not sell or rent your personal information to anyone, for any purpose.** None of the reasons our \
software knows for using personal data is selling or renting it, and it refuses to read personal data for a \
reason it does not know.

- **The merchant and the carrier of your order.** When you place an order, the merchant fulfilling it and \
the carrier delivering it can read the delivery name, address and phone number — nothing else — only to \
ship that order, and only until it is delivered. Each of their reads appears on your My privacy page.
- **Companies that work for us.** Our email delivery provider receives your email address to send you the \
messages you expect, such as address confirmations, password resets and order updates; when you pay online, \
our payment provider receives what it needs to take the payment. They may use your data only to do that work for us, and they must protect it as this policy \
does.
- **Other AllBuy services** that you use with your AllBuy account follow this same policy.
- **When safety or the law requires it.** We may disclose personal information to respond to emergencies \
where someone's life or safety is at risk, to comply with court orders and other legal process, to verify \
identities and prevent fraud and identity theft, and to enforce our agreements and protect our property. We \
disclose only the data the situation requires.

We do not share statistics about our customers with anyone. If we ever do, they will be figures about groups \
large enough that no one can be singled out, and this policy will say so first.

## How long we keep it

We keep your account details and addresses while you have an account. When an account is deleted, its \
personal data is destroyed, except order records that tax law requires us to keep: those are kept for ten \
years, then destroyed. Sign-in sessions end after two weeks. The tables below give the period for each piece \
of data.

## How we protect it

- **Encryption with a key of your own.** Your name, email address, phone number and addresses are stored \
encrypted (AES-256-GCM) under a data key that belongs to you alone. Data keys are themselves encrypted by a \
master key that is kept outside the database.
- **Destroying a key destroys the data.** When your data must go, we destroy your key, and every copy of \
your data encrypted under it becomes unreadable, in backups too.
- **Your email address cannot be read from how we find your account.** To find your account when you sign \
in, we look up a keyed hash of the address, not the address itself.
- **Encrypted in transit.** Our website is served only over HTTPS.
- **Every read by others is checked and recorded**, as described above.

## Your choices and your rights

- **See your data.** Your [My privacy](/accounts/privacy/) page shows everything we hold about you, why, who \
may receive it and for how long, and every time someone else read it, and why.
- **Take a copy.** Download all of it, in plaintext, as one JSON file from the same page.
- **Correct it.** Change your name, phone number and addresses from your account pages at any time.
- **Delete your account.** Write to privacy@allbuy.example from your account's address and we will delete \
your account as described above; a delete button on your My privacy page is on its way.
- **Choose how you sign in.** You can use your email address instead of Facebook.
- **Say no to offers.** We email offers only if you ask for them, and you can stop them with one click.

## Links to other websites

Our pages may link to other websites, such as a manufacturer's. This policy ends where our website ends: \
other websites have their own rules, which we do not control and are not responsible for. Please read their \
policies before you give them any information.

## Changes to this policy

When we change this policy, we post the new version on this page with its date and a summary of what \
changed. Changes take effect when they are posted. Every earlier version, and exactly what changed between \
versions, stays available on the policy history page. If you have an account, we tell you about the change \
the next time you are signed in.
"""


def publish(apps, schema_editor):
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    PolicyVersion.objects.get_or_create(
        version=VERSION,
        defaults={"title": TITLE, "body": BODY, "summary_of_changes": SUMMARY, "published_at": PUBLISHED_AT},
    )


def withdraw(apps, schema_editor):
    PolicyVersion = apps.get_model("privacy", "PolicyVersion")
    PolicyVersion.objects.filter(version=VERSION, published_at=PUBLISHED_AT).delete()


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(publish, withdraw)]

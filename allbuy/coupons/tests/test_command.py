import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from allbuy.coupons.models import Coupon

pytestmark = pytest.mark.django_db


def test_generate_writes_a_csv_of_the_new_codes(tmp_path):
    target = tmp_path / "codes.csv"
    call_command(
        "coupons_generate", "--count", "25", "--prefix", "vip", "--kind", "percent", "--value", "10",
        "--valid-until", "2030-01-01", "--csv", str(target), stderr=StringIO(),
    )  # fmt: skip
    rows = list(csv.reader(target.open(encoding="utf-8")))
    assert rows[0] == ["code", "kind", "value", "valid_from", "valid_until"]
    assert len(rows) == 26
    assert {row[0] for row in rows[1:]} == set(Coupon.objects.values_list("code", flat=True))
    assert all(row[0].startswith("VIP-") and row[1] == "percent" and row[2] == "10.00" for row in rows[1:])
    assert rows[1][4].startswith("2030-01-01T00:00:00")


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        (["--count", "0", "--kind", "percent", "--value", "10"], "count"),
        (["--count", "5", "--kind", "percent", "--value", "120"], "value"),
        (["--count", "5", "--kind", "fixed", "--value", "5"], "currency"),
        (["--count", "5", "--kind", "percent", "--value", "10", "--valid-until", "2000-01-01"], "valid_until"),
        (["--count", "5", "--kind", "percent", "--value", "10", "--prefix", "no way"], "prefix"),
        (["--count", "5", "--kind", "percent", "--value", "ten"], "not a number"),
        (["--count", "5", "--kind", "percent", "--value", "10", "--valid-until", "soon"], "ISO 8601"),
    ],
)
def test_bad_arguments_give_one_readable_line(tmp_path, arguments, says):
    with pytest.raises(CommandError) as caught:
        call_command("coupons_generate", *arguments, "--csv", str(tmp_path / "codes.csv"))
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not Coupon.objects.exists()

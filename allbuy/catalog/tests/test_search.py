import re
import sqlite3

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from allbuy.catalog.models import Category, Product
from allbuy.catalog.search import product_search_ids, search_suggestions, search_vocabulary
from allbuy.catalog.search_postgres import tsquery_text
from allbuy.catalog.search_sqlite import fts_match
from allbuy.catalog.search_terms import Vocabulary, edit_distance, query_parts, search_tokens, start_distance
from allbuy.catalog.services import product_reindex
from allbuy.catalog.tests.factories import BrandFactory, CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def specs(**rows):
    return [{"group": "General", "name": name.replace("_", " ").capitalize(), "value": value} for name, value in rows.items()]


@pytest.fixture
def catalog():
    """A small shop: Xiaomi and Redmi phones, bands and watches, earbuds, a power bank and a charger."""
    xiaomi, huawei, anker = (BrandFactory(name=n) for n in ("Xiaomi", "Huawei", "Anker"))
    phones = CategoryFactory(name="Phones", position=1)
    wearables = CategoryFactory(name="Wearables", position=2)
    audio = CategoryFactory(name="Audio", position=3)
    accessories = CategoryFactory(name="Accessories", position=4)
    android = CategoryFactory(name="Android phones", parent=phones)
    watches = CategoryFactory(name="Smartwatches", parent=wearables)
    bands = CategoryFactory(name="Fitness bands", parent=wearables)
    earbuds = CategoryFactory(name="Earbuds", parent=audio)
    power_banks = CategoryFactory(name="Power banks", parent=accessories)
    chargers = CategoryFactory(name="Chargers", parent=accessories)
    rows = [
        ("Redmi Note 13 Pro", xiaomi, android, specs(display="6.67 in AMOLED", ram="8 GB", network="5G", charging="67 W")),
        ("Redmi Note 13", xiaomi, android, specs(display="6.67 in AMOLED", ram="6 GB", network="4G", charging="33 W")),
        ("Redmi 13C", xiaomi, android, specs(display="6.74 in LCD", ram="4 GB", charging="18 W")),
        ("Xiaomi 14", xiaomi, android, specs(display="6.36 in", chipset="Snapdragon 8 Gen 3", charging="90 W")),
        ("Xiaomi 14T Pro", xiaomi, android, specs(display="6.67 in", chipset="Dimensity 9300+", charging="120 W")),
        ("Huawei Pura 70", huawei, android, specs(display="6.6 in", camera="50 MP")),
        ("Xiaomi Smart Band 8", xiaomi, bands, specs(display="1.62 in AMOLED", battery_life="16 days")),
        ("Xiaomi Smart Band 9", xiaomi, bands, specs(display="1.62 in AMOLED", battery_life="21 days")),
        ("Huawei Band 9", huawei, bands, specs(display="1.47 in", battery_life="14 days")),
        ("Huawei Watch GT 4", huawei, watches, specs(display="1.43 in", battery_life="14 days", water_resistance="5 ATM")),
        ("Huawei Watch Fit 3", huawei, watches, specs(display="1.82 in", battery_life="10 days")),
        ("Redmi Buds 5", xiaomi, earbuds, specs(noise_cancelling="46 dB", battery_life="40 h")),
        ("Anker PowerCore 20000", anker, power_banks, specs(capacity="20000 mAh", output="20 W USB-C")),
        ("Xiaomi 120W Charger", xiaomi, chargers, specs(output="120 W", connector="USB-A")),
    ]
    return {name: ProductFactory(name=name, brand=brand, category=category, specs=s) for name, brand, category, s in rows}


def names(ids):
    by_id = dict(Product.objects.filter(pk__in=ids).values_list("pk", "name"))
    return [by_id[pk] for pk in ids]


def found(q):
    return names(product_search_ids(q))


# --- relevance --------------------------------------------------------------------------------


def test_redmi_note_finds_the_redmi_note_phones_only(catalog):
    assert set(found("redmi note")) == {"Redmi Note 13", "Redmi Note 13 Pro"}


def test_an_exact_name_ranks_first(catalog):
    assert found("redmi note 13 pro")[0] == "Redmi Note 13 Pro"
    assert found("redmi note 13")[:2] == ["Redmi Note 13", "Redmi Note 13 Pro"]
    assert found("Huawei Band 9")[0] == "Huawei Band 9"


def test_a_misspelt_brand_is_corrected(catalog):
    assert set(found("hauwei watch")) == {"Huawei Watch GT 4", "Huawei Watch Fit 3"}
    assert set(found("xiomi smart band")) == {"Xiaomi Smart Band 8", "Xiaomi Smart Band 9"}
    assert found("huawei wacth gt")[0] == "Huawei Watch GT 4"


def test_band_8_puts_the_smart_band_8_first(catalog):
    assert found("band 8")[0] == "Xiaomi Smart Band 8"


def test_a_model_number_ranks_the_plain_model_before_its_variants(catalog):
    assert found("xiaomi 14")[:2] == ["Xiaomi 14", "Xiaomi 14T Pro"]


def test_partial_words_match_as_prefixes(catalog):
    assert set(found("redm not")) == {"Redmi Note 13", "Redmi Note 13 Pro"}
    assert found("smart ban")[:2] == ["Xiaomi Smart Band 8", "Xiaomi Smart Band 9"]


@pytest.mark.parametrize("q", ["power bank", "powerbank", "Power-bank", "POWERBANKS"])
def test_power_bank_written_any_way_finds_the_power_bank(catalog, q):
    assert found(q) == ["Anker PowerCore 20000"]


def test_category_words_find_products(catalog):
    assert found("earbuds") == ["Redmi Buds 5"]
    assert set(found("smartwatch")) == {"Huawei Watch GT 4", "Huawei Watch Fit 3"}


def test_wattage_with_or_without_a_space_finds_the_charger(catalog):
    assert found("120w charger") == ["Xiaomi 120W Charger"]
    assert found("120 w charger") == ["Xiaomi 120W Charger"]
    assert "Xiaomi 14T Pro" in found("120 W")


def test_spec_values_are_searchable(catalog):
    assert found("snapdragon") == ["Xiaomi 14"]
    assert set(found("amoled band")) == {"Xiaomi Smart Band 8", "Xiaomi Smart Band 9"}


def test_plus_is_read_as_a_word(catalog):
    ProductFactory(
        name="Redmi Note 13 Pro+",
        slug="redmi-note-13-pro-plus",
        brand=catalog["Redmi Note 13"].brand,
        category=catalog["Redmi Note 13"].category,
    )

    assert found("redmi note 13 pro+") == ["Redmi Note 13 Pro+"]
    assert found("redmi note 13 pro plus") == ["Redmi Note 13 Pro+"]
    assert found("redmi note 13 pro")[0] == "Redmi Note 13 Pro"


def test_accents_and_case_are_ignored(catalog):
    assert set(found("HUAWÉI WATCH")) == {"Huawei Watch GT 4", "Huawei Watch Fit 3"}


def test_a_query_matching_nothing_finds_nothing(catalog):
    assert found("zzzz") == []
    assert found("xiaomi zzzz") == []
    assert found("") == []
    assert found("   ") == []


def test_limit_caps_the_result(catalog):
    assert len(product_search_ids("xiaomi", limit=3)) == 3
    assert product_search_ids("xiaomi", limit=0) == []


# --- what the index holds ---------------------------------------------------------------------


def test_inactive_products_are_not_found(catalog):
    Product.objects.filter(pk=catalog["Redmi Note 13"].pk).update(is_active=False)

    assert found("redmi note") == ["Redmi Note 13 Pro"]


def test_a_renamed_product_is_found_by_its_new_name_once_reindexed(catalog):
    # given
    product = catalog["Huawei Pura 70"]
    product.name = "Huawei Mate 60"
    product.save()

    # when
    product_reindex(product=product)

    # then
    assert found("mate 60") == ["Huawei Mate 60"]
    assert found("pura") == []


def test_a_renamed_category_is_found_once_its_products_are_reindexed(catalog):
    # given
    Category.objects.filter(name="Power banks").update(name="Portable batteries")
    product = Product.objects.select_related("brand", "category__parent").get(pk=catalog["Anker PowerCore 20000"].pk)

    # when
    product_reindex(product=product)

    # then
    assert found("portable batteries") == ["Anker PowerCore 20000"]


def test_a_deleted_product_leaves_the_index(catalog):
    catalog["Redmi Buds 5"].delete()

    assert found("buds") == []
    assert search_vocabulary().doc_count("buds") == 0


def test_a_product_never_indexed_is_found_once_reindexed(catalog):
    # given: created without the factory's reindex, as a bulk import might
    pura = catalog["Huawei Pura 70"]
    product = Product.objects.create(name="Huawei Nova 12", slug="huawei-nova-12", brand=pura.brand, category=pura.category)
    assert found("nova") == []

    # when
    product_reindex(product=product)

    # then
    assert found("nova") == ["Huawei Nova 12"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only SQLite rebuilds a table to alter it")
def test_no_sqlite_trigger_names_another_catalog_table():
    # A trigger that names another table breaks Django's SQLite table rebuild (ALTER ... RENAME checks the schema).
    with connection.cursor() as cursor:
        cursor.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = cursor.fetchall()
    tables = set(connection.introspection.django_table_names())
    assert triggers
    for table, sql in triggers:
        named = {other for other in tables - {table} if re.search(rf"\b{other}\b", sql)}
        assert not named, f"a trigger on {table} names {named}"


# --- hostile input ----------------------------------------------------------------------------

HOSTILE = [
    '"',
    "'",
    '"redmi note',
    'redmi note"',
    "(",
    ")",
    "(redmi",
    "*",
    "redmi*",
    "* redmi",
    "redmi AND note",
    "redmi OR",
    "OR",
    "NOT redmi",
    "AND AND",
    "NEAR(redmi note, 2)",
    "-redmi",
    "redmi -note",
    "^redmi",
    "name:redmi",
    "{name brand}: redmi",
    "redmi:*",
    "a & b | !c <-> d",
    "'; DROP TABLE catalog_product; --",
    "%",
    "%s %(q)s",
    "_",
    "\\",
    "\x00",
    "小米 手环",
    "Ünïcödé ñ",
    "🙂📱",
    "ｘｉａｏｍｉ",
    "x" * 200,
    ("redmi note " * 20)[:200],
    " ".join(["hauwei"] * 40),
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_input_never_raises(catalog, q):
    assert isinstance(product_search_ids(q), list)
    assert isinstance(search_suggestions(q), list)


def test_syntax_characters_are_ignored_not_obeyed(catalog):
    assert set(found('"redmi note')) == {"Redmi Note 13", "Redmi Note 13 Pro"}
    assert set(found("NEAR(redmi note, 2)")) == set()  # "near" is just a word, and no product has it
    assert found("ｘｉａｏｍｉ １４")[0] == "Xiaomi 14"


@given(st.text(max_size=60))
def test_any_text_renders_a_valid_fts5_expression(text):
    # given: an FTS5 table outside Django, and a vocabulary that knows every word of the text
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(name, tokenize = 'unicode61 remove_diacritics 2')")
    vocabulary = Vocabulary.from_rows((word, 1) for word in set(search_tokens(text)))

    # when
    expression = fts_match(query_parts(text, vocabulary))

    # then
    if expression:
        db.execute("SELECT rowid FROM t WHERE t MATCH ?", [expression]).fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="renders PostgreSQL syntax")
@given(st.text(max_size=60))
def test_any_text_renders_a_valid_tsquery(text):
    vocabulary = Vocabulary.from_rows((word, 1) for word in set(search_tokens(text)))

    query = tsquery_text(query_parts(text, vocabulary))

    if query:
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::tsquery", [query])


# --- suggestions ------------------------------------------------------------------------------


def test_a_misspelt_query_with_an_unknown_word_suggests_the_corrected_rest(catalog):
    assert product_search_ids("hauwei wacth ultra") == []

    assert search_suggestions("hauwei wacth ultra")[0] == "huawei watch"


def test_a_word_that_matches_nothing_is_dropped(catalog):
    assert search_suggestions("xiaomi zzzz")[0] == "xiaomi"


def test_words_that_never_meet_suggest_each_alone(catalog):
    assert product_search_ids("anker watch") == []

    suggestions = search_suggestions("anker watch")
    assert suggestions[:2] == ["anker", "watch"]


def test_a_model_number_the_catalog_lacks_is_dropped_first(catalog):
    assert search_suggestions("huawei watch 5")[0] == "huawei watch"
    assert search_suggestions("band 10")[0] == "band"
    assert "10" not in search_suggestions("band 10")


def test_a_short_typo_is_corrected_in_suggestions_only(catalog):
    assert product_search_ids("xiaomi smart bnd 9") == []

    assert search_suggestions("xiaomi smart bnd 9")[0] == "xiaomi smart band 9"


def test_a_far_typo_is_corrected_in_suggestions(catalog):
    assert product_search_ids("hwawey") == []  # two edits from "huawei": too far to search for silently

    assert "huawei" in search_suggestions("hwawey")


def test_gibberish_suggests_the_largest_departments(catalog):
    assert search_suggestions("zzzz") == ["Phones", "Wearables", "Accessories", "Audio"]


def test_suggestions_respect_the_limit_and_never_repeat_the_query(catalog):
    suggestions = search_suggestions("anker watch zzzz", limit=2)

    assert len(suggestions) == 2
    assert "anker watch zzzz" not in suggestions
    assert search_suggestions("") == []
    assert search_suggestions("xiaomi", limit=0) == []


# --- cost -------------------------------------------------------------------------------------


def test_a_search_costs_two_queries_once_the_vocabulary_is_cached(catalog, django_assert_max_num_queries):
    product_search_ids("redmi")

    with django_assert_max_num_queries(2):
        assert len(product_search_ids("hauwei watch 4")) == 1


def test_a_search_costs_three_queries_when_the_vocabulary_is_rebuilt(catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        product_search_ids("redmi note")


def test_a_word_nothing_resembles_costs_no_match_query(catalog, django_assert_max_num_queries):
    product_search_ids("redmi")

    with django_assert_max_num_queries(1):
        assert product_search_ids("zzzz") == []


# --- terms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("huawei", "huawei", 0), ("hauwei", "huawei", 1), ("xiomi", "xiaomi", 1), ("wacth", "watch", 1), ("abc", "xyz", 3)],
)
def test_edit_distance_counts_a_swap_as_one_edit(a, b, expected):
    assert edit_distance(a, b, limit=5) == expected


def test_edit_distance_stops_past_its_limit():
    assert edit_distance("redmi", "huawei", limit=1) == 2


def test_start_distance_finds_the_nearest_start():
    assert start_distance("smartwach", "smartwatche", limit=1) == (1, 10)
    assert start_distance("hauw", "huawe", limit=1) == (1, 4)
    assert start_distance("zzzz", "huawe", limit=1) == (2, 0)


def test_a_partial_word_with_a_typo_is_corrected_to_a_term_start():
    vocabulary = Vocabulary.from_rows([("smartwatches", 2), ("huawei", 5)])

    assert [part.shown for part in query_parts("smartwach hauw", vocabulary)] == ["smartwatch", "huaw"]
    assert not query_parts("imartwat", vocabulary)[0].known  # a start must begin with the right letter


def test_tokens_split_like_the_index():
    assert search_tokens("Note 13 Pro+ (5G), Wi-Fi 6.67″ Ünï") == [
        "note",
        "13",
        "pro",
        "plus",
        "5g",
        "wi",
        "fi",
        "6",
        "67",
        "uni",
    ]
    assert len(search_tokens("a " * 50)) == 10


def test_short_words_and_numbers_are_never_corrected():
    vocabulary = Vocabulary.from_rows([("band", 3), ("14", 2), ("go", 1)])

    assert [part.known for part in query_parts("bnd 13 gx", vocabulary)] == [False, False, False]
    assert [part.alternatives for part in query_parts("bnad 14", vocabulary)] == [(("band",),), (("14",),)]

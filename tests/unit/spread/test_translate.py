"""Translations of a story's words with Apertium (rule-based, offline, deterministic: Debian's
`apertium` and `apertium-eng-spa`; .ci/run installs them)."""

from pathlib import Path

import pytest

from trollscan.spread import trace_story
from trollscan.errors import TranslatorFailed
from trollscan.spread.translate import ApertiumTranslator, find_translator, translate_all

from .conftest import item

TOOL = find_translator()
needs_apertium = pytest.mark.skipif(TOOL is None or ("en", "es") not in TOOL.pairs(),
                                    reason="Apertium with the English-Spanish pair is not installed "
                                           "(apt-get install -y apertium apertium-eng-spa)")


def test_no_translator_is_found_where_the_program_is_missing() -> None:
    assert find_translator("no-such-translator-program") is None


@needs_apertium
def test_apertium_lists_its_pairs_as_iso_639_1_and_translates_in_order() -> None:
    assert {("en", "es"), ("es", "en")} <= set(TOOL.pairs())
    got = TOOL.translate(["Kazakhs burn Chinese restaurants in Kordai", "The police are silent.\n\nNothing."],
                         "en", "es")
    assert got == ["Kazakhs Quema restaurantes chinos en Kordai", "La policía es silenciosa. Nada."]


@needs_apertium
def test_each_text_goes_through_the_pairs_of_its_language_and_a_hostile_text_is_only_text(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    got = translate_all(TOOL, ["Kazakhs burn Chinese restaurants in Kordai", "Los kazajos queman restaurantes chinos",
                               f"$(touch {marker}) `touch {marker}` <script>x</script>"])
    assert ("Kazakhs Quema restaurantes chinos en Kordai", "Kazakhs burn Chinese restaurants in Kordai",
            "en->es by apertium") in got
    assert ("The kazajos burn Chinese restaurants", "Los kazajos queman restaurantes chinos",
            "es->en by apertium") in got
    assert not marker.exists()


@needs_apertium
def test_a_missing_pair_is_a_clear_error() -> None:
    with pytest.raises(TranslatorFailed, match="no kk->ru pair"):
        ApertiumTranslator().translate(["Қордай"], "kk", "ru")


@needs_apertium
def test_a_story_is_found_in_translation_marked_so(load) -> None:
    case = load(items=[
        item("1", "a", 0, text="Kazakhs burn Chinese restaurants in Kordai tonight", language="en"),
        item("2", "b", 600, text="Los kazajos queman restaurantes chinos en Kordai", language="es"),
        item("3", "c", 900, text="Los kazajos queman restaurantes chinos esta noche", language="es"),
        item("4", "d", 1200, text="Restaurantes chinos abren en Madrid", language="es"),
    ])
    plain = trace_story(case, ["Kazakhs burn Chinese restaurants"], store=False)
    assert plain["cascade"]["item_id"] == ["1"]
    r = trace_story(case, ["Kazakhs burn Chinese restaurants"], store=False, translator=TOOL)
    how = dict(zip(r["cascade"]["item_id"], zip(r["cascade"]["match"], r["cascade"]["match_of"])))
    assert how == {"1": ("exact", "Kazakhs burn Chinese restaurants"),
                   "2": ("translation", "Kazakhs burn Chinese restaurants"),
                   "3": ("translation", "Kazakhs burn Chinese restaurants")}
    assert r["query"]["translator"] == "apertium"
    assert {"text": "Kazakhs Quema restaurantes chinos", "of": "Kazakhs burn Chinese restaurants",
            "how": "en->es by apertium"} in r["query"]["translations"]
    assert r["chronology"]["languages"] == {"en": 1, "es": 2}

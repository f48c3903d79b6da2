"""Names praised or attacked inside comment text (`trollscan.text.names`): natasha's tagger for
Russian, the analyst's names in any of the region's languages, merging, and tone per clause."""

from __future__ import annotations

import random

import pyarrow as pa

from trollscan.text.names import MENTION_SCHEMA, clauses, is_surname, known_names, mentions, name_forms

TOKAYEV = {"name": "Қасым-Жомарт Тоқаев", "aliases": [], "kind": "PER"}
ABLYAZOV = {"name": "Мухтар Аблязов", "aliases": ["Аблязов"], "kind": "PER"}
JAPAROV = {"name": "Садыр Жапаров", "aliases": [], "kind": "PER"}


def _by_text(texts: list[str], table: pa.Table) -> dict[str, dict[str, dict]]:
    """text -> key -> row."""
    out: dict[str, dict[str, dict]] = {}
    for r in table.to_pylist():
        out.setdefault(texts[r["row"]], {})[r["key"]] = r
    return out


def test_the_tagger_finds_each_example_with_its_nominative_and_tone() -> None:
    texts = ["Спасибо Токаеву за заботу", "Позор Аблязову", "Вчера выступил Садыр Жапаров",
             "Я голосовал за Жапарова", "Жапаров предатель", "Спасибо Токаеву за дороги"]
    got = _by_text(texts, mentions(texts))
    assert got["Спасибо Токаеву за заботу"]["токаев"]["name"] == "Токаев"
    assert got["Спасибо Токаеву за заботу"]["токаев"]["tone"] == "praise"
    assert got["Спасибо Токаеву за заботу"]["токаев"]["source"] == "ner"
    assert got["Позор Аблязову"]["аблязов"]["name"] == "Аблязов"
    assert got["Позор Аблязову"]["аблязов"]["tone"] == "attack"
    # the tagger misses a name as a sentence's first word; the name it found elsewhere is matched there
    assert got["Жапаров предатель"]["садыр жапаров"]["tone"] == "attack"
    assert got["Жапаров предатель"]["садыр жапаров"]["words"] == ["предател"]
    assert got["Я голосовал за Жапарова"]["садыр жапаров"]["name"] == "Садыр Жапаров"


def test_one_comment_praising_one_and_attacking_another_gives_each_their_own_tone() -> None:
    texts = ["Токаев молодец, а Аблязов вор", "Позор Аблязову, спасибо Токаеву"]
    got = _by_text(texts, mentions(texts, [TOKAYEV, ABLYAZOV], ner=False))
    for text in texts:
        assert got[text]["касым жомарт токаев"]["tone"] == "praise"
        assert got[text]["мухтар аблязов"]["tone"] == "attack"
    assert got[texts[0]]["касым жомарт токаев"]["words"] == ["молодец"]
    assert got[texts[0]]["мухтар аблязов"]["words"] == ["вор"]


def test_a_known_name_is_found_with_kazakh_and_kyrgyz_endings() -> None:
    texts = ["Тоқаевқа рахмет, елімізге көп жақсылық жасады", "Жапаровго рахмат, колдойбуз!",
             "Тоқаевтың сөзі өтірік", "Бүгін ауа райы жақсы"]
    got = _by_text(texts, mentions(texts, [TOKAYEV, JAPAROV]))
    assert got[texts[0]]["касым жомарт токаев"] == {
        "row": 0, "key": "касым жомарт токаев", "name": "Қасым-Жомарт Тоқаев", "kind": "PER", "source": "known",
        "tone": "praise", "words": ["рахмет"]}
    assert got[texts[1]]["садыр жапаров"]["tone"] == "praise"
    assert got[texts[2]]["касым жомарт токаев"]["tone"] == "attack"
    assert texts[3] not in got


def test_two_people_with_the_same_first_name_stay_apart() -> None:
    texts = ["Вчера Садыр Жапаров выступил, молодец", "Садыр Раимов позор", "Опять Садыр Раимов врёт",
             "Жапаров молодец", "Спасибо, Садыр Жапаров"]
    got = _by_text(texts, mentions(texts))
    assert got[texts[0]]["садыр жапаров"]["tone"] == "praise"
    assert set(got[texts[1]]) == {"садыр раимов"} and got[texts[1]]["садыр раимов"]["tone"] == "attack"
    assert got[texts[3]]["садыр жапаров"]["tone"] == "praise"  # the surname alone joins its one full name
    known = [{"name": "Нурсултан Назарбаев", "aliases": [], "kind": "PER"},
             {"name": "Нурсултан Абишев", "aliases": [], "kind": "PER"}]
    texts = ["Назарбаеву спасибо", "Абишев позор", "Нурсултан молодец"]
    got = _by_text(texts, mentions(texts, known, ner=False))
    assert set(got[texts[0]]) == {"нурсултан назарбаев"} and set(got[texts[1]]) == {"нурсултан абишев"}
    assert texts[2] not in got  # a first name alone is no one's


def test_a_surname_two_known_people_share_goes_to_neither() -> None:
    known = [{"name": "Асылбек Жээнбеков", "aliases": [], "kind": "PER"},
             {"name": "Сооронбай Жээнбеков", "aliases": [], "kind": "PER"}]
    texts = ["Жээнбеков молодец", "Спасибо Асылбеку Жээнбекову"]
    got = _by_text(texts, mentions(texts, known, ner=False))
    assert texts[0] not in got
    assert set(got[texts[1]]) == {"асылбек жээнбеков"}


def test_a_first_name_addressing_someone_in_the_thread_is_left_out() -> None:
    texts = ["Айгерим, спасибо Фонду за заботу о молодых", "Мадина, Аблязов украл деньги у народа",
             "Айгерим, привет", "Мадина, согласна"]
    got = _by_text(texts, mentions(texts, [ABLYAZOV]))
    assert texts[0] not in got
    assert set(got[texts[1]]) == {"мухтар аблязов"} and got[texts[1]]["мухтар аблязов"]["tone"] == "attack"


def test_an_alias_names_its_person_and_capitalised_openers_are_no_names() -> None:
    nazarbayev = {"name": "Нурсултан Назарбаев", "aliases": ["Елбасы", "Первый Президент"], "kind": "PER"}
    texts = ["Рахмет! Елбасы всегда думает о народе", "Спасибо Первому Президенту за заботу",
             "Бәрекелді! Молодцы, так держать", "Малаццы! Поддерживаю"]
    table = mentions(texts, [nazarbayev])
    got = _by_text(texts, table)
    assert got[texts[0]]["нурсултан назарбаев"]["tone"] == "praise"
    assert got[texts[1]]["нурсултан назарбаев"]["tone"] == "praise"
    assert set(table["row"].to_pylist()) == {0, 1}


def test_name_forms_allow_case_endings_but_keep_sexes_apart() -> None:
    forms = name_forms("токаев")
    assert forms["токаев"] is True and {"токаева", "токаеву", "токаевым", "токаеве", "токаевка", "токаевтын",
                                         "токаевго", "токаевдун"} <= set(forms)
    assert "алкановой" in name_forms("алканова") and "алканов" not in name_forms("алканова")
    assert set(name_forms("ким")) == {"ким"}  # too short for endings
    assert is_surname("жээнбеков") and is_surname("ахметулы") and not is_surname("садыр")


def test_clauses_split_at_commas_conjunctions_and_sentence_ends() -> None:
    text = "Токаев молодец, а Аблязов вор! Жапаров — лидер"
    assert [(text[a:b].strip(), s) for a, b, s in clauses(text)] == [
        ("Токаев молодец", 0), ("Аблязов вор", 0), ("Жапаров", 1), ("лидер", 1)]


def test_known_names_come_from_people_and_organisations_and_watched_pages() -> None:
    entities = [{"schema": "Person", "name": "Мухтар Аблязов", "properties": {"alias": ["Аблязов; Ablyazov"]}},
                {"schema": "Organization", "name": "Нур Отан", "properties": {}},
                {"schema": "Address", "name": "Астана, Мәңгілік Ел 8", "properties": {}}]
    watched = [{"name": "Садыр Жапаров"}, {"name": None},
               {"name": "Фонд Первого Президента Республики Казахстан – Елбасы"}]
    assert known_names(entities, watched) == [
        {"name": "Мухтар Аблязов", "aliases": ["Аблязов", "Ablyazov"], "kind": "PER"},
        {"name": "Нур Отан", "aliases": [], "kind": "ORG"},
        {"name": "Садыр Жапаров", "aliases": [], "kind": "page"}]


def test_hostile_text_is_kept_as_text_and_a_script_name_is_only_a_name() -> None:
    script = "<script>window.__pwned = 1</script>"
    texts = [script + " Спасибо Токаеву", "Токаев " + script, None, "", "\u202e\u200b" * 50]
    got = _by_text(texts, mentions(texts, [{"name": script, "aliases": [], "kind": "PER"}, TOKAYEV]))
    assert got[texts[0]]["касым жомарт токаев"]["tone"] == "praise"
    assert got[texts[0]]["script window pwned 1 script"]["name"] == script


def test_no_names_gives_an_empty_table_of_the_same_shape() -> None:
    for texts in ([], ["просто текст без имён", None], pa.array(["ещё один"], pa.string())):
        table = mentions(texts, [TOKAYEV], ner=False)
        assert table.schema == MENTION_SCHEMA and table.num_rows == 0


def test_order_of_the_texts_changes_nothing() -> None:
    texts = ["Спасибо Токаеву за заботу", "Позор Аблязову", "Токаев молодец, а Аблязов вор", "Жапаров предатель",
             "Вчера выступил Садыр Жапаров", "Айгерим, привет", "Тоқаевқа рахмет"] * 2
    order = list(range(len(texts)))
    random.Random(3).shuffle(order)
    shuffled = [texts[k] for k in order]

    def rows(ts: list[str]) -> set:
        return {(ts[r["row"]], r["key"], r["tone"], tuple(r["words"])) for r in mentions(ts, [ABLYAZOV]).to_pylist()}

    assert rows(texts) == rows(shuffled)


def test_a_huge_comment_is_read_and_its_names_found() -> None:
    huge = "Спасибо Токаеву за заботу. " + "бла " * 200_000 + "Позор Аблязову"
    got = _by_text([huge, "Позор Аблязову"], mentions([huge, "Позор Аблязову"], [ABLYAZOV]))
    assert got[huge]["токаев"]["tone"] == "praise" and got[huge]["мухтар аблязов"]["tone"] == "attack"

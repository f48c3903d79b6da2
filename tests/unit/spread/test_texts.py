import pyarrow as pa

from trollscan.spread.texts import normalise_texts, text_families, top_words

BASE = "Kazakhs burn Chinese restaurants and homes in Kordai over coronavirus panic"


def test_normalising_drops_case_links_mentions_and_punctuation_and_is_idempotent() -> None:
    once = normalise_texts(pa.array(["BREAKING: @bot1 Kazakhs burn #Kordai!!! https://t.co/x ⬇️", None]))
    assert once.to_pylist() == ["breaking kazakhs burn kordai", None]
    assert normalise_texts(once).to_pylist() == once.to_pylist()


def test_the_same_words_by_two_accounts_are_exact_copies_but_not_by_one() -> None:
    texts = pa.array([BASE, BASE.upper() + "!!", BASE + " ", "Something else entirely, about the weather today"])
    got = text_families(texts, ["a", "b", "a", "c"])
    assert got["exact"].tolist() == [True, True, True, False]
    alone = text_families(pa.array([BASE, BASE]), ["a", "a"])
    assert not alone["exact"].any() and not alone["near"].any()


def test_a_paraphrase_with_one_word_changed_is_a_near_copy_and_an_unrelated_text_is_not() -> None:
    texts = pa.array([BASE, BASE.replace("homes", "houses") + " RT!", BASE.replace("panic", "fear"),
                      "The new cafe on main street serves great coffee and cakes every morning"])
    got = text_families(texts, ["a", "b", "c", "d"])
    assert got["near"].tolist() == [True, True, True, False]
    assert got["templated"].tolist() == [True, True, True, False]
    assert not got["exact"].any()
    assert got["family"][0] == got["family"][1] == got["family"][2] != got["family"][3]


def test_short_texts_are_left_out_of_families() -> None:
    got = text_families(pa.array(["RT!", "RT!", None]), ["a", "b", "c"])
    assert got["family"].tolist() == [-1, -1, -1]
    assert not got["exact"].any()


def test_families_are_the_same_for_the_same_seed() -> None:
    texts = pa.array([BASE, BASE.replace("homes", "houses"), "unrelated words about football and the match"] * 3)
    accounts = [f"u{k}" for k in range(9)]
    assert text_families(texts, accounts)["family"].tolist() == text_families(texts, accounts)["family"].tolist()


def test_top_words_count_accounts_not_repetitions_and_skip_stop_words() -> None:
    texts = pa.array(["kordai kordai kordai burning", "kordai restaurants", "the restaurants of kordai",
                      "burning kordai"])
    assert top_words(texts, ["a", "a", "b", "c"], limit=3) == [("kordai", 3), ("burning", 2), ("restaurants", 2)]

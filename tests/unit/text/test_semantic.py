"""The optional semantic hook: word-vector models, their loaders and their errors."""

import gzip
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from trollscan.errors import BadFile, BadParameter, BadRecord
from trollscan.text.families import text_families
from trollscan.text.normalise import normalise_texts
from trollscan.text.semantic import WordVectors, load_embedder, load_navec, load_word2vec
from trollscan.text.talking_points import similar_pairs, talking_points

# One talking point in three wordings (different words, not near-copies of each other) ...
PROVOCATEURS = ["Не верьте провокаторам, они хотят раскачать лодку",
                "Эти провокаторы просто хотят посеять хаос, не верьте им",
                "Не поддавайтесь на провокации, кто-то хочет расшатать ситуацию"]
# ... and everyday texts of about the same length, about other things.
CHATTER = ["Вчера вечером снова пробки на Абая, ну и ну", "Сегодня сварила плов, всех обнимаю и целую",
           "Ребята, кот опять залез на шкаф к соседям", "Цены на бензин опять выросли, такие дела",
           "Купили подержанную машину, всем советую", "Дочка пошла в первый класс, я так рада"]


@pytest.fixture(scope="module")
def navec() -> WordVectors:
    return load_navec()


def _families(result) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for f, r in zip(result.members["family_id"].to_pylist(), result.members["row"].to_pylist()):
        out.setdefault(f, []).append(r)
    return out


def test_navec_groups_a_paraphrased_talking_point_that_minhash_does_not(navec) -> None:
    texts = PROVOCATEURS + CHATTER
    found = talking_points(navec.embed(texts))
    assert list(_families(found).values()) == [[0, 1, 2]]
    assert text_families(pa.array(texts)).members.num_rows == 0  # no near-copies among them
    sims = found.members["similarity"].to_pylist()
    assert sims[0] == 1.0 and all(0.45 <= s < 1 for s in sims[1:])


def test_synonyms_are_nearer_than_unrelated_texts_of_the_same_length(navec) -> None:
    v = navec.embed(["Спасибо за отличную работу, так держать", "Огромное спасибо вам за замечательную работу",
                     "Благодарю за прекрасный труд, продолжайте в том же духе"] + CHATTER)
    sims = v @ v.T
    unrelated = sims[:3, 3:].max()
    assert sims[0, 1] > unrelated and sims[1, 2] > unrelated and sims[0, 2] > unrelated


def test_unrelated_texts_of_the_same_length_are_not_grouped(navec) -> None:
    found = talking_points(navec.embed(CHATTER))
    assert found.members.num_rows == 0 and found.texts == len(CHATTER)


def test_texts_with_too_few_known_words_get_no_vector(navec) -> None:
    v = navec.embed(["Молодцы!", "+1", "", "👍👍👍", "Не верьте провокаторам"])
    assert not v[:4].any() and abs(np.linalg.norm(v[4]) - 1) < 1e-5
    assert talking_points(v[:4]).texts == 0


def test_case_yo_and_lookalike_letters_do_not_change_the_vector(navec) -> None:
    v = navec.embed(["Ёлки зелёные, опять провокаторы раскачивают лодку",
                     "ЕЛКИ ЗЕЛЕНЫЕ!!! опять прoвoкaтoры раскачивают лодку"])  # Latin o and a in the second
    assert np.allclose(v[0], v[1], atol=1e-6)


def test_rows_of_one_near_duplicate_family_are_never_paired(navec) -> None:
    v = navec.embed(PROVOCATEURS)
    assert len(similar_pairs(v, min_cosine=0.45)[0]) >= 2
    pairs, _ = similar_pairs(v, min_cosine=0.45, exclude=np.array([7, 7, 7]))
    assert len(pairs) == 0
    found = talking_points(v, exclude=np.array([7, 7, 7]))
    assert found.members.num_rows == 0


def test_families_are_stars_around_the_first_text_not_chains() -> None:
    # b is alike to a and to c, but c is not alike to a: c does not join a's family through b.
    a = np.array([1.0, 0.0]); c = np.array([0.0, 1.0]); b = (a + c) / np.linalg.norm(a + c)
    found = talking_points(np.stack([a, b, c]).astype(np.float32), min_cosine=0.7)
    assert list(_families(found).values()) == [[0, 1]]


def test_inverted_file_search_finds_what_the_exact_search_finds_when_it_probes_every_cell() -> None:
    rng = np.random.default_rng(3)
    centres = rng.standard_normal((20, 16))
    x = centres[rng.integers(0, 20, 600)] + 0.3 * rng.standard_normal((600, 16))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    exact, s1 = similar_pairs(x, min_cosine=0.9, max_neighbours=1000)
    ivf, s2 = similar_pairs(x, min_cosine=0.9, max_neighbours=1000, exact_limit=10, probes=1000)
    assert len(exact) > 100 and np.array_equal(exact, ivf) and np.allclose(s1, s2)
    few, _ = similar_pairs(x, min_cosine=0.9, max_neighbours=1000, exact_limit=10, probes=2)
    assert set(map(tuple, few.tolist())) <= set(map(tuple, exact.tolist())) and len(few) > 0.8 * len(exact)


def test_each_text_keeps_at_most_max_neighbours() -> None:
    x = np.tile(np.array([[1.0, 0.0]], dtype=np.float32), (50, 1))
    x[:, 1] = np.linspace(0, 0.01, 50)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    pairs, _ = similar_pairs(x, min_cosine=0.9, max_neighbours=3)
    assert np.bincount(pairs.ravel(), minlength=50).max() <= 6  # its own 3 and those that chose it


def _vec(path: Path, lines: list[str], *, gz: bool = False) -> Path:
    data = "\n".join(lines).encode("utf-8") + b"\n"
    if gz:
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


TINY = ["5 3", "рақмет 1 0 0", "спасибо 0.9 0.1 0", "и 0 0 1", "провокатор 0 1 0", "лодка 0 0.9 0.3"]


@pytest.mark.parametrize("gz", [False, True])
def test_a_word2vec_text_file_loads_and_kazakh_letters_fold_like_case_texts(tmp_path, gz) -> None:
    model = load_word2vec(_vec(tmp_path / ("tiny.vec.gz" if gz else "tiny.vec"), TINY, gz=gz), min_words=1)
    assert len(model) == 5 and model.dim == 3
    v = model.embed(["Ракмет!", "РАҚМЕТ", "zzz"])
    assert np.allclose(v[0], v[1]) and abs(np.linalg.norm(v[0]) - 1) < 1e-5 and not v[2].any()
    assert model.embed(["спасибо и провокатор"]).shape == (1, 3)
    assert load_word2vec(tmp_path / ("tiny.vec.gz" if gz else "tiny.vec"), max_words=2, min_words=1).embed(
        ["провокатор"]).sum() == 0  # only the first two words kept


@pytest.mark.parametrize("lines, line, reason", [
    (["5 3", "рақмет 1 0 0", "спасибо 0.9 0.1"], 3, "expected a word and 3 numbers; got 2 values"),
    (["5 3", "рақмет 1 0 0", "спасибо 0.9 0.1 0 7"], 3, "expected a word and 3 numbers; got 4 values"),
    (["five three", "рақмет 1 0 0"], 1, "expected the header 'WORDS DIMENSIONS'"),
    (["5 3", "рақмет 1 0 0", "спасибо 0.9 x 0"], 3, "a vector value is not a number"),
    (["5 3", "рақмет 1 0 0", "спасибо nan 0 0"], 3, "not finite"),
])
def test_a_malformed_vec_file_names_the_file_and_line(tmp_path, lines, line, reason) -> None:
    path = _vec(tmp_path / "bad.vec", lines)
    with pytest.raises(BadRecord) as e:
        load_word2vec(path)
    assert e.value.message.startswith(f"{path}, line {line}: ") and reason in e.value.message


def test_a_vec_file_that_is_not_utf8_names_the_line(tmp_path) -> None:
    path = tmp_path / "cp1251.vec"
    path.write_bytes("2 2\nок 1 0\n".encode() + "спасибо 0 1\n".encode("cp1251"))
    with pytest.raises(BadRecord, match=r"cp1251\.vec, line 3: not UTF-8 text"):
        load_word2vec(path)


def test_a_truncated_gzip_vec_file_is_a_bad_file(tmp_path) -> None:
    path = tmp_path / "cut.vec.gz"
    path.write_bytes(gzip.compress(("\n".join(TINY * 200)).encode())[:60])
    with pytest.raises(BadFile, match=r"cut\.vec\.gz, line \d+: the file cannot be read"):
        load_word2vec(path)


def test_the_model_option_names_what_it_accepts(tmp_path) -> None:
    assert load_embedder("off") is None
    assert load_embedder("auto").name.startswith("navec")
    with pytest.raises(BadParameter, match="not a model name, and no such file"):
        load_embedder("sbert")
    with pytest.raises(BadFile, match="no such file"):
        load_embedder(str(tmp_path / "missing.vec"))
    not_navec = tmp_path / "fake.tar"
    not_navec.write_bytes(b"not a tar at all")
    with pytest.raises(BadFile, match="not a navec model"):
        load_embedder(str(not_navec))
    assert load_embedder(str(_vec(tmp_path / "m.vec", TINY))).name == "word vectors (m.vec, 5 words)"


def test_a_sentence_inside_a_longer_text_is_copied_words_not_a_talking_point(navec) -> None:
    texts = ["Девочки, кот опять залез на шкаф к соседям", "Девочки, кот опять залез на шкаф к соседям всю неделю 👍",
             "Наш кот снова забрался на соседский шкаф"]
    v = navec.embed(texts)
    assert list(_families(talking_points(v)).values()) == [[0, 1, 2]]  # 0 and 1 are 0.96 alike
    found = talking_points(v, words=normalise_texts(pa.array(texts)))
    assert list(_families(found).values()) == [[0, 2]]  # 1 has all of 0's words: copied, not other words


def test_the_same_frame_around_different_news_is_not_one_talking_point(navec) -> None:
    texts = ["Спасибо всем за поздравления, вчера сдала на права в Алматы",
             "Спасибо всем за поздравления, наконец купили подержанную машину в Алматы"] + PROVOCATEURS[:2]
    v, words = navec.embed(texts), normalise_texts(pa.array(texts))
    assert float(v[0] @ v[1]) > 0.6  # the shared frame makes the whole texts alike ...
    assert list(_families(talking_points(v, words=words)).values()) == [[0, 1], [2, 3]]
    # ... but the words that differ (a driving test, a used car) are not alike: only the real point stays
    assert list(_families(talking_points(v, words=words, embed=navec.embed)).values()) == [[2, 3]]

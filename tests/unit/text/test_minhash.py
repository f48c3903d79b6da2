import numpy as np
import pyarrow as pa
import pytest

from trollscan.errors import BadParameter
from trollscan.text.families import connected_labels
from trollscan.text.minhash import band_probability, estimated_similarity, lsh_candidates, shingle_hashes, signatures
from trollscan.text.normalise import to_codes


def _sig(texts, num_perm=64):
    codes, lengths = to_codes(pa.array(texts))
    h, owner = shingle_hashes(codes, lengths, k=4)
    return signatures(h, owner, len(texts), num_perm=num_perm)


def test_shingles_stay_inside_their_text() -> None:
    codes, lengths = to_codes(pa.array(["abcdef", "xy", "ghij"]))
    h, owner = shingle_hashes(codes, lengths, k=4)
    assert owner.tolist() == [0, 0, 0, 2]
    again, _ = shingle_hashes(*to_codes(pa.array(["ghij"])), k=4)
    assert h[-1] == again[0]  # a window's hash does not depend on where the text sits


def test_shingles_beyond_max_len_are_ignored() -> None:
    codes, lengths = to_codes(pa.array(["abcdefgh", "abcdzzzz"]))
    _, owner = shingle_hashes(codes, lengths, k=4, max_len=5)
    assert owner.tolist() == [0, 0, 1, 1]


def test_identical_texts_have_identical_signatures_and_empty_texts_none() -> None:
    sig = _sig(["спасибо елбасы за заботу", "спасибо елбасы за заботу", "abc"])
    assert (sig[0] == sig[1]).all()
    assert (sig[2] == 0xFFFFFFFF).all()
    assert (sig[0] != 0xFFFFFFFF).all()  # densified: no empty bin left


def test_signature_agreement_estimates_jaccard() -> None:
    rng = np.random.default_rng(3)
    errors = []
    for _ in range(200):
        common = rng.integers(0, 2**32, 60, dtype=np.uint64).astype(np.uint32)
        only_a = rng.integers(0, 2**32, 20, dtype=np.uint64).astype(np.uint32)
        only_b = rng.integers(0, 2**32, 20, dtype=np.uint64).astype(np.uint32)
        h = np.concatenate([common, only_a, common, only_b])
        owner = np.repeat(np.array([0, 1], dtype=np.int32), 80)
        sig = signatures(h, owner, 2, num_perm=128)
        errors.append(estimated_similarity(sig, np.array([[0, 1]]))[0] - 60 / 100)
    assert abs(np.mean(errors)) < 0.02 and np.std(errors) < 0.08


def test_lsh_pairs_near_duplicates_and_not_unrelated_texts() -> None:
    texts = ["спасибо елбасы за заботу о простых людях так держать",
             "спасибо елбасы за заботу о простых людях так держат",
             "цены на бензин опять выросли и никто ничего не объясняет",
             "сегодня наконец то съездили с детьми в горы всем советую"]
    pairs = lsh_candidates(_sig(texts), bands=16)
    assert [0, 1] in pairs.tolist()
    assert not any(set(p) & {2, 3} for p in pairs.tolist())


def test_band_probability_rises_with_similarity() -> None:
    assert band_probability(0.9, bands=16, rows=4) > 0.999
    assert band_probability(0.2, bands=16, rows=4) < 0.03


def test_bad_parameters_say_what_is_allowed() -> None:
    with pytest.raises(BadParameter, match="power of two"):
        signatures(np.zeros(1, np.uint32), np.zeros(1, np.int32), 1, num_perm=48)
    with pytest.raises(BadParameter, match="divide"):
        lsh_candidates(np.zeros((2, 64), np.uint32), bands=10)


def test_connected_labels_join_chains_and_keep_singletons() -> None:
    labels = connected_labels(7, np.array([[5, 6], [1, 2], [2, 4], [6, 3]]))
    assert labels.tolist() == [0, 1, 1, 3, 1, 3, 3]

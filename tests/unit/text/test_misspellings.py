import pyarrow as pa
import pytest

from trollscan.errors import BadParameter
from trollscan.text.misspellings import shared_misspellings


def _case(extra: list[tuple[str, str]]):
    rows = [(f"поддерживаю номер {i}", f"real{i}") for i in range(12)] + extra
    return pa.array([t for t, _ in rows]), pa.array([a for _, a in rows])


def test_a_misspelling_two_accounts_share_is_found_with_its_right_spelling() -> None:
    text, account = _case([("Я подерживаю!", "bot1"), ("подерживаю всей душой", "bot2"),
                           ("ПОДЕРЖИВАЮ", "bot1")])
    found = shared_misspellings(text, account).to_pylist()
    assert found == [{"word": "подерживаю", "correct": "поддерживаю", "correct_accounts": 12,
                      "accounts": ["bot1", "bot2"], "rows": [12, 13, 14]}]


def test_a_misspelling_of_one_account_is_not_shared() -> None:
    text, account = _case([("Я подерживаю!", "bot1"), ("подерживаю", "bot1")])
    assert shared_misspellings(text, account).num_rows == 0


def test_a_spelling_many_accounts_use_is_not_rare() -> None:
    text, account = _case([("подерживаю", f"bot{i}") for i in range(6)])  # 6 of 18 accounts
    assert shared_misspellings(text, account, max_accounts=5).num_rows == 0


def test_a_rare_word_far_from_any_common_word_is_not_a_misspelling() -> None:
    text, account = _case([("Жапаров", "bot1"), ("Жапаров", "bot2")])
    assert shared_misspellings(text, account).num_rows == 0


def test_swapped_neighbour_letters_count_as_one_edit() -> None:
    rows = [(f"coronavirus {i}", f"real{i}") for i in range(15)] + [("coronavirsu", "b1"), ("coronavirsu!", "b2")]
    found = shared_misspellings(pa.array([t for t, _ in rows]), pa.array([a for _, a in rows]))
    assert found["correct"].to_pylist() == ["coronavirus"]


def test_bad_limits_are_refused() -> None:
    with pytest.raises(BadParameter, match="min_accounts"):
        shared_misspellings(pa.array(["x"]), pa.array(["a"]), min_accounts=3, max_accounts=2)


def test_a_megabyte_without_spaces_is_not_a_word() -> None:
    text, account = _case([("я" * 1_000_000, "bot1"), ("я" * 1_000_000, "bot2")])
    assert shared_misspellings(text, account).num_rows == 0

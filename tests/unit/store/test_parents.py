"""Replies whose source leaves out the parent's author get it from the parent item in the case."""

from pathlib import Path

from trollscan.ingest import ingest_files

HEADER = "platform,item_id,kind,account_id,created_at,text,parent_id,parent_account_id"


def csv(path: Path, *rows: str) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def parents(case) -> dict[str, str | None]:
    return dict(case.con.execute("SELECT item_id, parent_account_id FROM items WHERE parent_id IS NOT NULL").fetchall())


def test_a_reply_gets_the_author_of_the_item_it_answers_in_the_same_load(case, tmp_path: Path) -> None:
    summary = ingest_files(case, [csv(tmp_path / "items.csv",
                                      "telegram,c/1,post,akimat,2022-01-05 10:00:00,Новый парк,,",
                                      "telegram,c/2,reply,bot1,2022-01-05 10:01:00,Спасибо!,c/1,",
                                      "telegram,c/3,reply,bot2,2022-01-05 10:02:00,Ответ,c/9,")])
    assert parents(case) == {"c/2": "akimat", "c/3": None}  # c/9 is not in the case: no guess
    assert any("1 reply was given the author" in n for n in summary.notes)


def test_replies_loaded_before_their_parent_are_filled_when_it_arrives(case, tmp_path: Path) -> None:
    ingest_files(case, [csv(tmp_path / "replies.csv", "telegram,c/2,reply,bot1,2022-01-05 10:01:00,Спасибо!,c/1,")])
    assert parents(case) == {"c/2": None}
    ingest_files(case, [csv(tmp_path / "posts.csv", "telegram,c/1,post,akimat,2022-01-05 10:00:00,Новый парк,,")])
    assert parents(case) == {"c/2": "akimat"}


def test_a_stored_parent_author_is_never_replaced_and_platforms_do_not_mix(case, tmp_path: Path) -> None:
    ingest_files(case, [csv(tmp_path / "items.csv",
                            "telegram,c/1,post,akimat,2022-01-05 10:00:00,Новый парк,,",
                            "vk,c/1,post,someone,2022-01-05 10:00:00,Другое,,",
                            "telegram,c/2,reply,bot1,2022-01-05 10:01:00,Спасибо!,c/1,given",
                            "vk,c/3,comment,bot2,2022-01-05 10:01:00,Ну,c/1,")])
    assert parents(case) == {"c/2": "given", "c/3": "someone"}

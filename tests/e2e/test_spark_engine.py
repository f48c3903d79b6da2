"""Spark in local mode computes the co-action layers with the same results as DuckDB."""

import pyarrow as pa
import pyarrow.compute
import pytest

from tests.unit.coordination.test_relational import both, planted_actions
from trollscan.ingest import ingest_files
from trollscan.scan import scan
from trollscan.simulate import simulate
from trollscan.store import init_case
from trollscan.store.results import read_query
from trollscan.store.spark import spark_session, spark_views, to_spark_sql


@pytest.fixture(scope="module")
def spark():
    session = spark_session()
    yield session
    session.stop()


@pytest.mark.parametrize("options", [dict(window_s=600, fdr=0.01), dict(window_s=None, fdr=None, repeats="items",
                                                                       max_target_actions=30)])
def test_spark_edges_and_links_equal_the_kernels(spark, options) -> None:
    kernel, relational = both(planted_actions(), spark_views(spark), **options)
    assert kernel.edges.num_rows > 0
    assert relational.edges.equals(kernel.edges)
    assert relational.links.equals(kernel.links)
    assert relational.threshold == kernel.threshold


def test_a_scan_on_spark_stores_what_a_scan_on_duckdb_stores(spark, tmp_path) -> None:
    simulate(tmp_path / "sim", preset="nurbots", seed=2, scale=0.05)
    stored = {}
    for engine in ("duckdb", "spark"):
        with init_case(tmp_path / engine) as case:
            ingest_files(case, [tmp_path / "sim" / "input"])
            scan(case, layers=["co_reply", "shared_ip"], engine=engine)
            stored[engine] = [read_query(case, f"SELECT * EXCLUDE (run_id) FROM {t} ORDER BY ALL")
                              for t in ("edges", "evidence", "group_members")]
    assert stored["duckdb"][0].num_rows > 0 and stored["duckdb"][2].num_rows > 0
    for duck, spark_rows in zip(stored["duckdb"], stored["spark"]):
        assert spark_rows.equals(duck)


def test_parameters_are_spelled_for_spark() -> None:
    assert to_spark_sql("SELECT * FROM t WHERE a <= $window AND b >= $min") == \
        "SELECT * FROM t WHERE a <= :window AND b >= :min"


def test_a_parquet_scan_on_spark_gives_the_edges_of_duckdb_and_of_a_case(spark, tmp_path) -> None:
    import pyarrow.parquet as pq

    from trollscan.scan.parquet import scan_parquet

    simulate(tmp_path / "sim", preset="nurbots", seed=3, scale=0.05)
    layers = ["co_reply", "shared_groups", "shared_ip"]
    with init_case(tmp_path / "case") as case:
        ingest_files(case, [tmp_path / "sim" / "input"])
        (tmp_path / "pq").mkdir()
        for table in ("items", "relations", "access_log"):
            case.con.execute(f"COPY {table} TO '{tmp_path / 'pq' / table}.parquet' (FORMAT parquet)")
        scan(case, layers=layers, fdr=None)
        in_case = read_query(case, "SELECT platform, layer, account_a, account_b, weight, n_targets, n_items, "
                                   "first_at, last_at FROM edges WHERE list_contains(?, layer) ORDER BY ALL", [layers])
    summaries = scan_parquet(tmp_path / "pq", tmp_path / "fdr", engine="duckdb", layers=layers)
    assert [s.layer for s in summaries] == layers and sum(s.edges for s in summaries) > 0
    # with the null model off the actions' keys do not matter: the same edges as a case scan
    got = {}
    for engine in ("duckdb", "spark"):
        scan_parquet(tmp_path / "pq", tmp_path / engine, engine=engine, layers=layers + ["mutual"], fdr=None)
        got[engine] = [pq.read_table(tmp_path / engine / f) for f in ("edges.parquet", "links.parquet")]
    assert got["duckdb"][1].num_rows > 0
    assert got["spark"][0].equals(got["duckdb"][0]) and got["spark"][1].equals(got["duckdb"][1])
    mutual = pa.compute.equal(got["spark"][0]["layer"], "mutual")
    assert pa.compute.sum(mutual).as_py() > 0  # friends among the accounts co_reply and shared_ip link
    coaction = got["spark"][0].filter(pa.compute.invert(mutual))
    assert coaction.sort_by([(c, "ascending") for c in in_case.column_names]).equals(in_case)
    assert all("\x1f" not in i for i in got["spark"][1]["item_a"].to_pylist())


def test_scan_parquet_from_the_command_line(tmp_path) -> None:
    from typer.testing import CliRunner

    from trollscan.cli import app

    (tmp_path / "pq").mkdir()
    with init_case(tmp_path / "case") as case:
        items = tmp_path / "items.csv"
        items.write_text("platform,item_id,account_id,kind,parent_id,created_at\n" + "".join(
            f"vk,{a}{p},{a},comment,p{p},2019-02-0{p} 10:00:0{i}\n" for i, a in enumerate("abc") for p in range(1, 4)))
        ingest_files(case, [items])
        case.con.execute(f"COPY items TO '{tmp_path / 'pq' / 'items.parquet'}' (FORMAT parquet)")
    runner = CliRunner()
    r = runner.invoke(app, ["scan", "--parquet", str(tmp_path / "pq"), "--out", str(tmp_path / "out"),
                            "--layer", "co_reply", "--engine", "duckdb", "--min-targets", "3"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "out" / "edges.parquet").exists() and "links.parquet" in r.output
    r = runner.invoke(app, ["scan", "--parquet", str(tmp_path / "pq"), "--out", str(tmp_path / "out"),
                            "--layer", "co_likes", "--engine", "duckdb"])
    assert r.exit_code == 1 and "Unknown layer 'co_likes'." in r.output
    r = runner.invoke(app, ["scan", "--parquet", str(tmp_path / "nothing"), "--out", str(tmp_path / "o2"),
                            "--engine", "duckdb"])
    assert r.exit_code == 1 and "no canonical table as Parquet" in r.output


def test_a_parquet_scan_runs_the_layers_of_the_tables_it_finds(tmp_path) -> None:
    from trollscan.errors import BadParameter
    from trollscan.scan.parquet import scan_parquet

    (tmp_path / "pq").mkdir()
    with init_case(tmp_path / "case") as case:
        items = tmp_path / "items.csv"
        items.write_text("platform,item_id,account_id,kind,parent_id,created_at\nvk,1,a,comment,p,2019-02-01 10:00:00\n")
        ingest_files(case, [items])
        case.con.execute(f"COPY items TO '{tmp_path / 'pq' / 'items.parquet'}' (FORMAT parquet)")
    summaries = scan_parquet(tmp_path / "pq", tmp_path / "out", engine="duckdb")
    assert [s.layer for s in summaries] == ["co_reply", "co_share", "co_reaction", "co_url", "co_hashtags", "co_text",
                                            "same_text"]
    with pytest.raises(BadParameter) as info:
        scan_parquet(tmp_path / "pq", tmp_path / "out", engine="duckdb", layers=["shared_ip"])
    assert "reads access_log" in info.value.message


def _posts(folder) -> None:
    """items.parquet of 40 people posting at random and a farm of 5 that posts the same texts (in
    varied case, punctuation, links and mentions), the same links (with varied tracking
    parameters) and the same hashtag sequences (in varied case) within minutes; and a slogan 25
    people wrote. Texts carry what SQL dialects read differently: backslashes, '$1', emoji, Cyrillic."""
    import numpy as np
    import pyarrow.parquet as pq

    rng = np.random.default_rng(11)
    words = "мир труд май спасибо фонду за заботу о молодёжи народ страна выборы новости день".split()
    rows = []

    def add(account, t, text, urls, tags):
        rows.append({"platform": "vk", "item_id": f"i{len(rows)}", "kind": "post", "account_id": account,
                     "created_at": 1_550_000_000 + t, "text": text, "urls": urls, "hashtags": tags})

    for _ in range(900):
        text = " ".join(rng.choice(words, 6)) + f" {rng.integers(10**6)}"
        add(f"p{rng.integers(40)}", int(rng.integers(0, 20 * 86400)), text,
            [f"https://news.kz/{rng.integers(300)}"], [str(t) for t in rng.choice(words, 2)])
    for k in range(8):  # the farm's campaigns
        t0 = int(rng.integers(0, 20 * 86400))
        for f in range(5):
            text = (f"Спасибо Фонду за заботу, кампания №{k}!!! \\1 $1 🇰🇿 @user{f} https://t.co/{f}" if f % 2 else
                    f"спасибо  фонду за заботу  кампания {k} \\1 $1")
            add(f"farm{f}", t0 + 40 * f, text, [f"HTTPS://Akorda.KZ/news/{k}/?utm_source=farm{f}&id={k}#top"],
                ["Qazaqstan" if f % 2 else "QAZAQSTAN", f"Kampania{k}", "Jaña"])
    for i in range(25):
        add(f"p{i}", int(rng.integers(0, 20 * 86400)), "Слава труду и миру во всём мире!", [], [])
    table = pa.Table.from_pylist(rows)
    table = table.set_column(table.schema.get_field_index("created_at"), "created_at",
                             pa.compute.cast(pa.compute.multiply(table["created_at"], 1_000_000), pa.timestamp("us")))
    pq.write_table(table, folder / "items.parquet")


def test_text_link_and_hashtag_layers_on_spark_equal_duckdb(spark, tmp_path) -> None:
    import pyarrow.parquet as pq

    from trollscan.scan.parquet import scan_parquet

    (tmp_path / "pq").mkdir()
    _posts(tmp_path / "pq")
    layers = ["co_url", "co_hashtags", "co_text", "same_text"]
    got = {}
    for engine in ("duckdb", "spark"):
        summaries = scan_parquet(tmp_path / "pq", tmp_path / engine, engine=engine, layers=layers, fdr=0.05,
                                 max_target_accounts=20)
        got[engine] = [pq.read_table(tmp_path / engine / f) for f in ("edges.parquet", "links.parquet")]
        got[engine].append([(s.layer, s.actions, s.candidates, s.crowded, s.many_accounts) for s in summaries])
    edges = got["duckdb"][0]
    farm = [f"farm{f}" for f in range(5)]
    for layer in layers:  # every farm pair, in every layer
        mine = edges.filter(pa.compute.equal(edges["layer"], layer))
        assert {(a, b) for a, b in zip(mine["account_a"].to_pylist(), mine["account_b"].to_pylist())} >= \
            {(a, b) for a in farm for b in farm if a < b}, layer
    assert {s[0]: s[4] for s in got["duckdb"][2]}["same_text"] == 1  # the slogan
    assert got["spark"][2] == got["duckdb"][2]
    assert got["spark"][0].equals(got["duckdb"][0]) and got["spark"][1].equals(got["duckdb"][1])

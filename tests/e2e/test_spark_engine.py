"""Spark in local mode computes the co-action layers with the same results as DuckDB."""

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

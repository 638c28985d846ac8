"""Pools from Arrow tables of embeddings (.parquet, .arrow): labeled, unlabeled, and refused."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.feather
import pyarrow.parquet

from tests.service.conftest import Stack
from tests.service.factories import make_project, upload


def _table(x: np.ndarray, y: list | None = None, ids: list[str] | None = None) -> pa.Table:  # type: ignore[type-arg]
    columns = {"x": pa.FixedSizeListArray.from_arrays(pa.array(x.reshape(-1)), x.shape[1])}
    if y is not None:
        columns["y"] = pa.array(y, type=pa.int64())
    if ids is not None:
        columns["id"] = pa.array(ids)
    return pa.table(columns)


def _parquet(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pyarrow.parquet.write_table(table, buf)
    return buf.getvalue()


def test_embedding_tables_are_pools(stack: Stack) -> None:
    project, key = make_project(stack)  # input shape [4], classes a, b, c
    pid = project["id"]
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    res = upload(
        stack,
        pid,
        key,
        _parquet(_table(x, [0, 2, 1], ["p", "q", "r"])),
        domain="source",
        filename="e.parquet",
    )
    assert res.status_code == 201 and res.json()["pool"]["n_labeled"] == 3, res.text
    items = stack.client.get(f"/projects/{pid}/items", headers=key).json()["items"]
    assert [(i["external_id"], i["label"]) for i in items] == [("p", 0), ("q", 2), ("r", 1)]
    # an Arrow file without labels (or with null labels) is an unlabeled target pool
    buf = io.BytesIO()
    pyarrow.feather.write_feather(_table(x + 1, ids=["s", "t", "u"]), buf)
    res = upload(stack, pid, key, buf.getvalue(), domain="target", filename="t.arrow")
    assert res.status_code == 201 and res.json()["pool"]["n_labeled"] == 0, res.text
    nulls = _table(x + 2, ids=["v", "w", "z"]).append_column(
        "y", pa.array([None, None, None], type=pa.int64())
    )
    res = upload(stack, pid, key, _parquet(nulls), domain="target", filename="n.parquet")
    assert res.status_code == 201 and res.json()["pool"]["n_labeled"] == 0, res.text
    predicted = stack.client.get(f"/projects/{pid}/items", params={"domain": "target"}, headers=key).json()
    assert predicted["total"] == 6


def test_bad_tables_are_refused_and_store_nothing(stack: Stack) -> None:
    project, key = make_project(stack)
    pid = project["id"]
    x = np.zeros((2, 4), dtype=np.float32)
    cases = {
        "needs a column 'x'": pa.table({"z": [1, 2]}),
        "must have 4 values": _table(np.zeros((2, 3), dtype=np.float32)),
        "label every row or none": _table(x).append_column("y", pa.array([1, None], type=pa.int64())),
        "outside the class range": _table(x, [0, 7]),
    }
    for message, table in cases.items():
        res = upload(stack, pid, key, _parquet(table), domain="source", filename="bad.parquet")
        assert res.status_code == 400 and message in res.json()["detail"], (message, res.text)
    res = upload(stack, pid, key, b"PAR1 not really", domain="source", filename="bad.parquet")
    assert res.status_code == 400 and "cannot read the .parquet table" in res.json()["detail"]
    assert stack.client.get(f"/projects/{pid}/items", headers=key).json()["total"] == 0

"""The S3 bundle store against a real S3 API server on loopback (moto's standalone server,
a stand-in for AWS S3, MinIO and the like, spoken to over HTTP by boto3)."""

from __future__ import annotations

import logging
from pathlib import Path

import boto3
import pytest
import sqlalchemy as sa
from b2cect.fleet import db, task
from b2cect.fleet.sellers import FleetSettings
from b2cect.fleet.storage import S3BundleStore, open_store
from moto.server import ThreadedMotoServer

SECRET = "s3cret-key-that-must-not-leak"


@pytest.fixture(scope="module")
def endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture()
def bucket(endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "fleet-test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3", endpoint_url=endpoint)
    name = f"bundles-{len(client.list_buckets()['Buckets'])}"
    client.create_bucket(Bucket=name)
    return client, name


def scan_folder(root: Path) -> Path:
    folder = root / "hemu" / "20261207-120000-abcd1234"
    (folder / "bundle" / "pages").mkdir(parents=True)
    (folder / "bundle" / "manifest.json").write_text('{"files": {}}', encoding="utf-8")
    (folder / "bundle" / "pages" / "home.html").write_text("<h1>禾木</h1>", encoding="utf-8")
    (folder / "result.json").write_bytes(b"x" * 70_000)
    return folder


def test_a_scan_folder_goes_to_the_bucket_and_leaves_the_worker(
    tmp_path, bucket, endpoint, monkeypatch, caplog
):
    client, name = bucket
    caplog.set_level(logging.DEBUG, logger="b2cect")
    folder = scan_folder(tmp_path / "out")
    monkeypatch.setenv("B2CECT_S3_ENDPOINT", endpoint)
    store = open_store(f"s3://{name}/team/fleet/", tmp_path / "out")
    assert isinstance(store, S3BundleStore)
    where = store.put(folder, "hemu/20261207-120000-abcd1234")
    assert where == f"s3://{name}/team/fleet/hemu/20261207-120000-abcd1234"
    assert not folder.exists()
    objects = client.list_objects_v2(Bucket=name, Prefix="team/fleet/")["Contents"]
    keys = {o["Key"].removeprefix("team/fleet/hemu/20261207-120000-abcd1234/") for o in objects}
    assert keys == {"bundle/manifest.json", "bundle/pages/home.html", "result.json"}
    body = client.get_object(
        Bucket=name, Key=f"{where[len(f's3://{name}/') :]}/bundle/pages/home.html"
    )
    assert body["Body"].read().decode() == "<h1>禾木</h1>"
    assert SECRET not in caplog.text

    # Scan folders never collide, and a key never leaves the prefix.
    again = scan_folder(tmp_path / "again")
    with pytest.raises(FileExistsError):
        store.put(again, "hemu/20261207-120000-abcd1234")
    with pytest.raises(ValueError):
        store.put(again, "../outside")
    with pytest.raises(ValueError, match="credentials"):
        open_store(f"s3://key:{SECRET}@{name}/p", tmp_path)


def test_a_fleet_task_records_where_the_bucket_keeps_its_scan(
    tmp_path, bucket, endpoint, monkeypatch
):
    _client, name = bucket
    out = tmp_path / "out"

    def fake_scan(job, shared=None):
        # The browser part of a scan is covered elsewhere; here only what follows it.
        folder = task.scan_folder(Path(job.out_root).resolve(), job.seller["id"])
        (folder / "bundle").mkdir()
        (folder / "bundle" / "manifest.json").write_text("{}", encoding="utf-8")
        return task.finish(
            {
                "out_dir": str(folder),
                "bundle_path": str(folder / "bundle"),
                "started_at": db.now(),
                "status": "ok",
                "obey_robots": True,
            }
        )

    monkeypatch.setattr(task, "scan_in_child", fake_scan)
    monkeypatch.setenv("B2CECT_S3_ENDPOINT", endpoint)
    engine = db.open_db(tmp_path / "h.sqlite")
    run_id, _ = db.start_run(engine, "k", "f", {})
    job = task.ScanJob(
        run_id=run_id,
        seller={"id": "hemu", "name": "禾木", "url": "https://hemu.example/", "tags": []},
        settings=FleetSettings().as_dict(),
        user_agent="b2cect-test",
        out_root=str(out),
        state_dir=str(tmp_path / "state"),
        db="",
        store=f"s3://{name}/fleet",
    )
    outcome = task.run_scan_task(job, engine)
    with engine.connect() as conn:
        row = conn.execute(sa.select(db.scans).where(db.scans.c.id == outcome["scan_id"])).one()
    assert row.out_dir.startswith(f"s3://{name}/fleet/hemu/")
    assert row.bundle_path == row.out_dir + "/bundle"
    assert not any((out / "hemu").iterdir())  # uploaded, then removed from the worker
    assert SECRET not in " ".join(str(v) for v in row._mapping.values())

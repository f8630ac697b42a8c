"""Where finished scan folders go: one small interface, so a worker on any machine can hand
its bundle to a place the whole team reads. The local-folder store serves both a laptop (the
output folder itself) and a team (a shared, mounted folder); the S3 store serves any
S3-compatible object store (`s3://bucket/prefix`, endpoint from --s3-endpoint or
$B2CECT_S3_ENDPOINT, credentials from the usual AWS environment variables or files, which
boto3 reads and nothing here logs)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath
from typing import Any, Protocol
from urllib.parse import urlsplit

ENV_S3_ENDPOINT = "B2CECT_S3_ENDPOINT"


class BundleStore(Protocol):
    def put(self, scan_dir: Path, key: str) -> str:
        """Keep a finished scan folder under `key` (<seller>/<scan folder>); returns where it
        now is (a path or URL), as the history records it."""
        ...


class LocalFolderStore:
    """Scan folders kept under one (local or shared) folder."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()

    def put(self, scan_dir: Path, key: str) -> str:
        scan_dir = Path(scan_dir).resolve()
        target = (self.root / key).resolve()
        if not target.is_relative_to(self.root):
            raise ValueError(f"scan key {key!r} leaves the store folder")
        if scan_dir == target:
            return str(target)
        if target.exists():
            raise FileExistsError(f"{target} already exists; scan folders never collide")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(scan_dir, target)
        shutil.rmtree(scan_dir, ignore_errors=True)
        return str(target)


def _safe_key(key: str) -> PurePosixPath:
    path = PurePosixPath(key)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        raise ValueError(f"scan key {key!r} leaves the store's prefix")
    return path


class S3BundleStore:
    """Scan folders kept as objects under s3://bucket/prefix/<key>/..., on AWS or any
    S3-compatible server (endpoint_url). The local folder is removed once every file is
    uploaded and listed back with its size."""

    def __init__(
        self, bucket: str, prefix: str = "", endpoint_url: str | None = None, client: Any = None
    ):
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        # Credentials: boto3's own chain (environment, shared files, instance role); never
        # passed through our arguments, so they cannot reach a log or the history.
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url or None)

    @classmethod
    def from_url(cls, url: str, endpoint_url: str | None = None) -> S3BundleStore:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.hostname:
            raise ValueError(f"not an s3://bucket/prefix URL: {url!r}")
        if parts.username or parts.password:
            # Keys in a URL end up in shell histories and process lists.
            raise ValueError("credentials do not go in the s3:// URL; use AWS_* variables")
        endpoint = endpoint_url or os.environ.get(ENV_S3_ENDPOINT) or None
        return cls(parts.hostname, parts.path, endpoint)

    def _object_key(self, key: str, rel: str = "") -> str:
        parts = [self.prefix] if self.prefix else []
        parts.append(_safe_key(key).as_posix())
        if rel:
            parts.append(rel)
        return "/".join(parts)

    def put(self, scan_dir: Path, key: str) -> str:
        scan_dir = Path(scan_dir).resolve()
        base = self._object_key(key)
        existing = self.client.list_objects_v2(Bucket=self.bucket, Prefix=base + "/", MaxKeys=1)
        if existing.get("KeyCount"):
            raise FileExistsError(f"s3://{self.bucket}/{base} already exists")
        sizes: dict[str, int] = {}
        for path in sorted(scan_dir.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue  # a link could point anywhere on the worker
            rel = path.relative_to(scan_dir).as_posix()
            name = self._object_key(key, rel)
            self.client.upload_file(str(path), self.bucket, name)  # multipart when large
            sizes[name] = path.stat().st_size
        listed: dict[str, int] = {}
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=base + "/"
        ):
            listed.update({o["Key"]: o["Size"] for o in page.get("Contents", [])})
        if listed != sizes:
            missing = sorted(set(sizes) - set(listed))[:3]
            raise OSError(f"upload to s3://{self.bucket}/{base} is incomplete: {missing}")
        shutil.rmtree(scan_dir, ignore_errors=True)
        return f"s3://{self.bucket}/{base}"


def open_store(
    where: str | Path | None, default_root: Path, s3_endpoint: str | None = None
) -> BundleStore:
    """The store named by --store: s3://bucket/prefix (S3 or an S3-compatible server at
    s3_endpoint / $B2CECT_S3_ENDPOINT), or a folder path (default: the output folder)."""
    if where and str(where).startswith("s3://"):
        return S3BundleStore.from_url(str(where), s3_endpoint)
    return LocalFolderStore(Path(where) if where else default_root)

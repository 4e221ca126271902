"""Chroma in client/server mode: `chroma run` (from the chromadb package) on 127.0.0.1 holds the index that
ANNING_CHROMA__URL points at; questions are answered through it, and a second replica reuses it without embedding."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.legal_qa.embeddings import HashEmbeddings
from bot.settings import PROJECT_ROOT, Settings
from bot.wiring import build_qa


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """`chroma run` on a free loopback port, yielded as its URL once its heartbeat answers; stopped at the end."""
    port = _free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(chroma), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            assert proc.poll() is None, "chroma run exited"
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as resp:
                if resp.status == 200:
                    break
            time.sleep(0.1)
        else:
            raise AssertionError("chroma run did not answer")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _settings(data_dir: Path, url: str) -> Settings:
    s = Settings(data_dir=data_dir, knowledge_dir=PROJECT_ROOT / "knowledge")
    s.chroma.url = url
    s.understand.embedding = "hash"
    return s


@pytest.mark.slow
def test_questions_are_answered_through_a_chroma_server_that_replicas_share(tmp_path: Path) -> None:
    with chroma_server(tmp_path / "server") as url:
        first = build_qa(_settings(tmp_path / "replica1", url), None, HashEmbeddings())
        assert first.report is not None and first.report.added > 250  # embedded into the server
        assert not (tmp_path / "replica1" / "chroma" / "chroma.sqlite3").exists()  # no local store was used

        second = build_qa(_settings(tmp_path / "replica2", url), None, HashEmbeddings())
        assert second.report is not None
        assert (second.report.added, second.report.updated) == (0, 0)  # found on the server: nothing re-embedded

        answer = second.qa.ask("催收的人天天打电话给我的家人和同事，这合法吗？")
        assert answer.covered and answer.citations
        dense = second.qa.retrieve("催收 通讯录 联系人", k=3, mode="dense").passages
        assert dense  # the dense side is the server's collection

"""Chroma in client/server mode: `chroma run` (from the chromadb package) on 127.0.0.1 holds the index that
ANNING_CHROMA__URL points at; questions are answered through it, and a second replica reuses it without embedding."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import PROJECT_ROOT
from tests.serve_support import free_port


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """`chroma run` on a free loopback port, yielded as its URL once its heartbeat answers; stopped at the end."""
    port = free_port()
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
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except urllib.error.HTTPError as exc:  # starting up: close the error's response, or its socket leaks
                exc.close()
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise AssertionError("chroma run did not answer")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# the replicas' side runs in its own interpreter: chromadb 1.5.9's HTTP client keeps sockets open past close()
REPLICAS = """
import json, sys
from pathlib import Path
from bot.legal_qa.embeddings import HashEmbeddings
from bot.settings import PROJECT_ROOT, Settings
from bot.wiring import build_qa

def settings(data_dir):
    s = Settings(data_dir=Path(data_dir), knowledge_dir=PROJECT_ROOT / "knowledge")
    s.chroma.url = sys.argv[1]
    s.understand.embedding = "hash"
    return s

first = build_qa(settings(sys.argv[2]), None, HashEmbeddings())
second = build_qa(settings(sys.argv[3]), None, HashEmbeddings())
answer = second.qa.ask("催收的人天天打电话给我的家人和同事，这合法吗？")
dense = second.qa.retrieve("催收 通讯录 联系人", k=3, mode="dense").passages
print(json.dumps({
    "first": [first.report.added, first.report.updated] if first.report else None,
    "second": [second.report.added, second.report.updated] if second.report else None,
    "covered": answer.covered, "citations": len(answer.citations), "dense": len(dense),
}))
"""


@pytest.mark.slow
def test_questions_are_answered_through_a_chroma_server_that_replicas_share(tmp_path: Path) -> None:
    with chroma_server(tmp_path / "server") as url:
        replicas = [str(tmp_path / "replica1"), str(tmp_path / "replica2")]
        run = subprocess.run(
            [sys.executable, "-c", REPLICAS, url, *replicas],
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["first"][0] > 250  # the first replica embedded knowledge/ into the server
    assert result["second"] == [0, 0]  # the second found it there: nothing re-embedded
    assert not (tmp_path / "replica1" / "chroma" / "chroma.sqlite3").exists()  # no local store was used
    assert result["covered"] and result["citations"] > 0
    assert result["dense"] > 0  # the dense side is the server's collection

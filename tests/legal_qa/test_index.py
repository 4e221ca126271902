"""The chroma index: built once, rebuilt incrementally by content hash, stale index noticed, extra corpora."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError
from bot.legal_qa.embeddings import HashEmbeddings
from bot.settings import PROJECT_ROOT, Settings
from bot.wiring import build_qa


def _knowledge_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", dst)
    return dst


def test_rebuild_touches_only_what_changed(tmp_path: Path) -> None:
    kdir = _knowledge_copy(tmp_path)
    settings = Settings(data_dir=tmp_path / "var", knowledge_dir=kdir)
    notices: list[str] = []
    first = build_qa(settings, notices.append, HashEmbeddings())
    assert first.report is not None and first.report.added > 250 and notices
    again = build_qa(settings, notices.append, HashEmbeddings())
    assert again.report is None  # fresh: nothing rebuilt, no notice
    law = kdir / "laws" / "consumer-rights-law.yaml"
    law.write_text(
        law.read_text(encoding="utf-8").replace("享有人格尊严", "享有人格尊严（测试改动）", 1), encoding="utf-8"
    )
    (kdir / "laws" / "data-security-law.yaml").unlink()
    changed = build_qa(settings, None, HashEmbeddings())
    assert changed.report is not None
    assert (changed.report.updated, changed.report.added) == (1, 0)
    assert changed.report.removed == 5
    hit = changed.qa.retrieve("人格尊严 测试改动", k=3, mode="dense").passages
    assert any("测试改动" in p.chunk.text for p in hit)


def test_switching_embedding_uses_its_own_collection(tmp_path: Path, qa_parts: object) -> None:
    settings = Settings(data_dir=tmp_path, knowledge_dir=PROJECT_ROOT / "knowledge")
    parts = build_qa(settings, None, HashEmbeddings())
    assert parts.index.name == "hash"
    assert parts.report is not None and parts.report.added > 0


def test_chroma_never_downloads_its_default_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    build_qa(Settings(data_dir=tmp_path / "var", knowledge_dir=PROJECT_ROOT / "knowledge"), None, HashEmbeddings())
    assert not (tmp_path / "home" / ".cache" / "chroma").exists()


def test_extra_jsonl_corpus_is_indexed_and_citable(tmp_path: Path) -> None:
    extra = tmp_path / "local.jsonl"
    rows = [
        {
            "id": "x1",
            "law": "某市催收行为规范（试行）",
            "article": "第三条",
            "text": "催收人员不得在晚上十点至次日早上八点之间联系债务人。",
        },
        {
            "id": "x2",
            "law": "某市催收行为规范（试行）",
            "article": 4,
            "text": "催收人员不得向债务人的同事透露债务情况。",
        },
    ]
    extra.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "var", knowledge_dir=PROJECT_ROOT / "knowledge")
    settings.index.extra_sources = [extra]
    parts = build_qa(settings, None, HashEmbeddings())
    res = parts.qa.retrieve("某市催收行为规范 晚上十点", k=3, mode="bm25")
    assert res.passages[0].chunk.law == "某市催收行为规范（试行）"
    assert res.passages[0].chunk.label == "第三条"


def test_bad_extra_record_names_the_line(tmp_path: Path) -> None:
    extra = tmp_path / "bad.jsonl"
    extra.write_text(
        '{"law": "x", "article": "第一条", "text": "a"}\n{"law": "x", "text": "no article"}\n', encoding="utf-8"
    )
    settings = Settings(data_dir=tmp_path / "var", knowledge_dir=PROJECT_ROOT / "knowledge")
    settings.index.extra_sources = [extra]
    with pytest.raises(KnowledgeError, match=r"bad.jsonl:2"):
        build_qa(settings, None, HashEmbeddings())


class _CountingEmbeddings(HashEmbeddings):
    """The hashing stand-in, counting the passages it is asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.passages = 0

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.passages += len(texts)
        return super().embed_documents(texts)


def test_a_rebuilt_index_reuses_the_vectors_it_already_computed(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", knowledge_dir=PROJECT_ROOT / "knowledge")
    first_model = _CountingEmbeddings()
    first = build_qa(settings, None, first_model)
    assert first.report is not None and first_model.passages == first.report.added > 250
    before = [p.chunk.id for p in first.qa.retrieve("催收爆通讯录", k=5, mode="dense").passages]
    first.index.close()
    shutil.rmtree(tmp_path / "var" / "chroma")  # the store is gone (deleted, or damaged and cleared)
    again_model = _CountingEmbeddings()
    again = build_qa(settings, None, again_model)
    assert again.report is not None and again.report.added == first.report.added
    assert again_model.passages == 0 and again.report.reused == again.report.added
    assert [p.chunk.id for p in again.qa.retrieve("催收爆通讯录", k=5, mode="dense").passages] == before


def test_a_changed_article_is_embedded_again(tmp_path: Path) -> None:
    kdir = _knowledge_copy(tmp_path)
    settings = Settings(data_dir=tmp_path / "var", knowledge_dir=kdir)
    build_qa(settings, None, HashEmbeddings()).index.close()
    law = kdir / "laws" / "consumer-rights-law.yaml"
    law.write_text(
        law.read_text(encoding="utf-8").replace("享有人格尊严", "享有人格尊严（测试改动）", 1), encoding="utf-8"
    )
    model = _CountingEmbeddings()
    changed = build_qa(settings, None, model)
    assert changed.report is not None and changed.report.updated == 1
    assert model.passages == 1 and changed.report.reused == 0


class _RecordingEmbeddings(HashEmbeddings):
    """The hashing model, keeping every passage it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.seen.extend(texts)
        return super().embed_documents(texts)


def test_the_model_reads_an_articles_head_only_and_words_past_it_still_find_it(tmp_path: Path) -> None:
    extra = tmp_path / "long.jsonl"
    body = "甲" * 200 + "尾部独有词语"
    row = {"id": "longlaw", "law": "测试长条文法", "article": "第一条", "text": body}
    extra.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "var", knowledge_dir=PROJECT_ROOT / "knowledge")
    settings.index.extra_sources = [extra]
    settings.index.embed_chars = 50
    model = _RecordingEmbeddings()
    parts = build_qa(settings, None, model)
    read = next(t for t in model.seen if "测试长条文法" in t)
    assert read.startswith("《测试长条文法》第一条\n") and "尾部独有词语" not in read and len(read.split("\n")[1]) == 50
    found = parts.qa.retrieve("尾部独有词语", k=3, mode="bm25").passages
    assert found and found[0].chunk.text.endswith("尾部独有词语")  # BM25 and quotes keep the whole text
    parts.index.close()
    settings.index.embed_chars = 0  # reading more of each article re-embeds every chunk (short ones from the cache)
    again = _RecordingEmbeddings()
    whole = build_qa(settings, None, again)
    assert whole.report is not None and whole.report.updated == len(again.seen) + whole.report.reused
    assert whole.report.unchanged == 0 and len(again.seen) > 250
    assert any("尾部独有词语" in t for t in again.seen)


class _SecondModel(HashEmbeddings):
    """A second, fast model (its own collection and manifest)."""

    name = "hash-second"

    def __init__(self) -> None:
        super().__init__(dim=128)


class _HeldEmbeddings(HashEmbeddings):
    """The main model, holding every passage batch until released (a slow model still embedding)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        assert self.release.wait(30)
        return super().embed_documents(texts)


def test_with_fill_later_the_bot_answers_before_the_main_model_has_embedded_anything(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", knowledge_dir=PROJECT_ROOT / "knowledge")
    settings.index.fill_later = True
    main = _HeldEmbeddings()
    parts = build_qa(settings, None, main, with_intents=False, second_embeddings=_SecondModel())
    assert parts.filling is not None and parts.second is not None and parts.report is None
    early = parts.qa.retrieve("催收爆通讯录", k=5, mode="hybrid").passages
    assert early and not any("dense" in p.ranks for p in early) and any("second" in p.ranks for p in early)
    main.release.set()
    parts.filling.join(30)
    assert parts.qa.retriever.dense_ready and parts.timings.keys() == {"hash-second", "hash"}
    late = parts.qa.retrieve("催收爆通讯录", k=5, mode="hybrid").passages
    assert any("dense" in p.ranks for p in late)
    parts.index.close()
    settings.index.fill_later = False
    again = _CountingEmbeddings()
    reopened = build_qa(settings, None, again, with_intents=False, second_embeddings=_SecondModel())
    assert reopened.report is None and again.passages == 0  # the background fill was complete and recorded


def test_the_index_command_with_fill_later_leaves_the_main_model_to_the_bot(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", knowledge_dir=PROJECT_ROOT / "knowledge")
    settings.index.fill_later = True
    main = _CountingEmbeddings()
    parts = build_qa(settings, None, main, with_intents=False, background=False, second_embeddings=_SecondModel())
    assert parts.filling is None and main.passages == 0 and not parts.qa.retriever.dense_ready
    assert parts.qa.retrieve("催收爆通讯录", k=5, mode="dense").passages  # the second model stands in
    assert list(parts.timings) == ["hash-second"]

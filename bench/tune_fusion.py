"""Benchmark, fusion tuning: grid over BM25 k1/b and weighted-RRF settings on STARD's dev split (never its test split).

Needs an index folder built by `bench/stard_bench.py run --data-dir D` (the corpus recorded there). Prints recall@5
and MRR for each setting, best last; the chosen values go into bot/legal_qa/retrieve.py's Fusion and bm25.py's BM25.

    python bench/tune_fusion.py --data-dir D [--out /tmp/stard]
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from stard_bench import chunk_keys  # noqa: E402

from bot.legal_qa.bm25 import BM25  # noqa: E402
from bot.legal_qa.ingest import all_chunks  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.wiring import build_qa  # noqa: E402


def main() -> None:
    """Load the index once, cache the dense lists, then score every combination."""
    p = argparse.ArgumentParser()
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--out", type=Path, default=Path("/tmp/stard"))
    args = p.parse_args()
    parts = build_qa(Settings(data_dir=args.data_dir))
    chunks = all_chunks(parts.kb)
    keys = chunk_keys(parts.kb, chunks)
    qs = [json.loads(ln) for ln in (args.out / "dev.jsonl").read_text(encoding="utf-8").splitlines() if ln]
    cache = args.out / "dense-dev.json"
    if cache.exists():
        dense = json.loads(cache.read_text())
    else:
        emb = parts.index.embeddings
        texts = [q["question"] for q in qs]
        batch = getattr(emb, "embed_queries", None)  # one batch where the model has it
        vecs = batch(texts) if batch else [emb.embed_query(t) for t in texts]
        dense = [[cid for cid, _ in parts.index.search_vector(v, 100)] for v in vecs]
        cache.write_text(json.dumps(dense))
    tok = parts.qa.retriever.tok
    docs = [tok.tokens(c.text) for c in chunks]
    qtoks = [tok.tokens(q["question"]) for q in qs]
    retriever = parts.qa.retriever
    named = [set(retriever._named_laws(q["question"])) for q in qs]
    results = []
    for k1, b in itertools.product((0.9, 1.2, 1.5), (0.5, 0.75, 0.9)):
        bm = BM25(docs, k1=k1, b=b)
        lex = [[chunks[i].id for i, _ in bm.top(t, 100)] for t in qtoks]
        for rrf_k, w_dense, boost in itertools.product((10, 30, 60), (0.0, 0.7, 1.0, 1.5, 2.0, 3.0), (0.0, 0.01)):
            r5, rr = [], []
            for q, lx, dn, nm in zip(qs, lex, dense, named, strict=True):
                fused: dict[str, float] = {}
                for rank, cid in enumerate(lx[:40]):
                    fused[cid] = fused.get(cid, 0.0) + 1.0 / (rrf_k + rank + 1)
                for rank, cid in enumerate(dn[:40]):
                    fused[cid] = fused.get(cid, 0.0) + w_dense / (rrf_k + rank + 1)
                for cid in fused:
                    if cid.partition(":")[0] in nm:
                        fused[cid] += boost
                top = sorted(fused, key=lambda c: -fused[c])[:10]
                targets = {tuple(t) for t in q["targets"]}
                found = [keys.get(c, set()) & targets for c in top]
                r5.append(len(set().union(*found[:5])) / len(targets))
                first = next((n for n, f in enumerate(found, 1) if f), None)
                rr.append(1 / first if first else 0.0)
            results.append((statistics.fmean(r5), statistics.fmean(rr), k1, b, rrf_k, w_dense, boost))
    for row in sorted(results)[-15:]:
        print("recall@5 {:.3f}  mrr {:.3f}  k1 {} b {} rrf_k {} w_dense {} law_boost {}".format(*row))


if __name__ == "__main__":
    main()

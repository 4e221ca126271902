"""Benchmark helper, dev set: a copy of dev-questions.jsonl whose 2016 网络安全法 article numbers are moved to the 2025 text's.

The shared dev set expects 网络安全法 第41/42/44条 (the 2016 numbering) in q020, q021, q022 and q038; knowledge/ marks
the 2016 text superseded, and the bot never cites it. The 2025 amendment moved old Articles 40-50 to 42-52 (recorded
with its source in knowledge/laws/cybersecurity-law-2025.yaml, `numbering_note`, from the NPC Standing Committee
gazette 2025 No. 6). This writes the relabelled copy for `anning eval PATH`, so the figure can be reported both ways:

    python bench/dev_relabel.py [--out /tmp/dev-questions-relabelled.jsonl]
    python -m bot eval --data-dir D /tmp/dev-questions-relabelled.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "dev-questions.jsonl"
OLD = re.compile(r"^网络安全法 第(\d+)条$")
MOVED = range(40, 51)  # old 40-50 -> 42-52 (numbering_note); no other old number is expected in the set
SHIFT = 2


def relabel(label: str) -> str:
    """'网络安全法 第44条' -> '网络安全法 第46条'; any other label unchanged."""
    m = OLD.match(label)
    if m and int(m.group(1)) in MOVED:
        return f"网络安全法 第{int(m.group(1)) + SHIFT}条"
    return label


def main() -> None:
    """Write the relabelled copy and say which items changed."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    p.add_argument("--dev", type=Path, default=DEV)
    p.add_argument("--out", type=Path, default=Path("/tmp/dev-questions-relabelled.jsonl"))
    args = p.parse_args()
    lines = []
    for line in args.dev.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        new = [relabel(lab) for lab in item["expected_citations"]]
        if new != item["expected_citations"]:
            print(f"{item['id']}: {item['expected_citations']} -> {new}")
            item["expected_citations"] = new
        lines.append(json.dumps(item, ensure_ascii=False))
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()

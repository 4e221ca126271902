"""Legal Q&A stage, added corpora: the extra sources `anning index --source` records for a data dir, kept until removed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

MANIFEST = "corpora.json"


def manifest_path(data_dir: Path) -> Path:
    """Where a data dir records its added corpora (beside the vector index's own manifests)."""
    return data_dir / "chroma" / MANIFEST


@dataclass(frozen=True)
class AddedCorpora:
    """The corpora recorded for one data dir: absolute paths, in the order they were added."""

    data_dir: Path

    @property
    def path(self) -> Path:
        """The manifest file."""
        return manifest_path(self.data_dir)

    def recorded(self) -> list[Path]:
        """Every recorded corpus (present or not); [] when nothing was ever added."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [Path(p) for p in data.get("sources", []) if isinstance(p, str)]

    def present(self) -> tuple[list[Path], list[Path]]:
        """The recorded corpora split into (still on disk, gone)."""
        here: list[Path] = []
        gone: list[Path] = []
        for p in self.recorded():
            (here if p.exists() else gone).append(p)
        return here, gone

    def add(self, paths: list[Path]) -> list[Path]:
        """Record corpora (resolved to absolute paths, each once); returns the newly recorded ones."""
        have = self.recorded()
        new = [p for p in dict.fromkeys(q.resolve() for q in paths) if p not in have]
        if new:
            self._write([*have, *new])
        return new

    def remove(self, paths: list[Path] | None = None) -> list[Path]:
        """Forget the given corpora, or every one when paths is None; returns what was dropped."""
        have = self.recorded()
        drop = set(have) if paths is None else {p.resolve() for p in paths} | set(paths)
        dropped = [p for p in have if p in drop]
        if dropped:
            self._write([p for p in have if p not in drop])
        return dropped

    def _write(self, paths: list[Path]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"sources": [str(p) for p in paths]}, ensure_ascii=False, indent=1), "utf-8")
        tmp.replace(self.path)


def merge_sources(configured: list[Path], recorded: list[Path]) -> list[Path]:
    """Configured sources (settings, --source) plus recorded ones, each corpus once."""
    out: dict[Path, Path] = {}
    for p in [*configured, *recorded]:
        out.setdefault(p.resolve(), p)
    return list(out.values())

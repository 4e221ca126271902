"""Office stage, fonts: find a font file that can draw Simplified Chinese for charts and PDFs (evidence and letters)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

# (path, face index in the collection), best first. NotoSansCJK-Regular.ttc holds JP, KR, SC, TC, HK: index 2 is SC.
SYSTEM_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # Debian/Ubuntu fonts-noto-cjk
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),  # Arch noto-fonts-cjk
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),  # Fedora
    ("/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 0),
    ("/System/Library/Fonts/STHeiti Medium.ttc", 0),  # macOS
    ("C:/Windows/Fonts/msyh.ttc", 0),  # Windows: 微软雅黑
    ("C:/Windows/Fonts/simsun.ttc", 0),  # Windows: 宋体
)

# Default face of a configured collection given without an index ("...ttc" rather than "...ttc#2").
_KNOWN_INDEX = {"NotoSansCJK-Regular.ttc": 2, "NotoSerifCJK-Regular.ttc": 2, "NotoSansCJK-Bold.ttc": 2}

# The pip package cvttf-notosanscjk-regular ships NotoSansCJKtc-Regular.otf (CFF outlines; full CJK coverage, but
# Traditional-Chinese glyph forms for the few characters whose shapes differ by region): the last resort.
_PACKAGED_FONT_MODULE = "cvttf_NotoSansCJK_Regular"


class FontNotFoundError(FileNotFoundError):
    """No font that can draw Chinese was found (or the configured one does not exist).

    `key` and `values` name the user-facing text (texts.get(error.key, **error.values)); the caller phrases it.
    """

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(f"{key} {values}" if values else key)
        self.key = key
        self.values = values


def _parse_configured(configured: str) -> tuple[Path, int]:
    """A configured font: "path" or "path#index" (the face in a .ttc collection)."""
    text, sep, index = configured.rpartition("#")
    if sep and index.isdigit():
        return Path(text).expanduser(), int(index)
    path = Path(configured).expanduser()
    return path, _KNOWN_INDEX.get(path.name, 0)


def packaged_font() -> Path | None:
    """The OTF file shipped by the cvttf-notosanscjk-regular package, when it is installed."""
    spec = importlib.util.find_spec(_PACKAGED_FONT_MODULE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for path in sorted(Path(folder).iterdir()):
            if path.suffix.lower() in {".otf", ".ttf", ".ttc"}:
                return path
    return None


def find_cjk_font(configured: str | None = None) -> tuple[Path, int]:
    """Path and collection index of a Chinese font: the configured one, else a system font, else the packaged OTF."""
    if configured:
        path, index = _parse_configured(configured)
        if not path.is_file():
            raise FontNotFoundError("evidence.font_configured_missing", path=path)
        return path, index
    for name, index in SYSTEM_FONTS:
        path = Path(name)
        if path.is_file():
            return path, index
    packaged = packaged_font()
    if packaged is not None:
        return packaged, 0
    raise FontNotFoundError("evidence.font_missing")

"""Fonts for PDF reports: a Unicode TTF when one can be found, core Helvetica otherwise.

The app ships DejaVu Sans Condensed in its package data (assets/fonts) (Latin, Greek, Cyrillic and more). CJK
names need a CJK font, which is far too big to ship: common system ones are used as fallbacks
when present. Characters that no loaded font can draw become '?' (and the report says so)
rather than silently vanishing; with Helvetica, accents are stripped first ('Zoë' -> 'Zoe').
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF

from attendance_app.resources import FONTS_DIR, asset_path

FONT_FAMILY = "ReportSans"
CORE_FAMILY = "helvetica"
REGULAR_FILES = ("DejaVuSansCondensed.ttf", "DejaVuSans.ttf")
BOLD_FILES = ("DejaVuSansCondensed-Bold.ttf", "DejaVuSans-Bold.ttf")
# Shipped inside the package (attendance_app/assets -> the repository's assets/).
BUNDLED_FONT_DIR = asset_path(*FONTS_DIR)
SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"), Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"), Path.home() / "Library" / "Fonts",
    Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts",
)
# (file, collection index) of widespread CJK fonts on Linux, macOS and Windows.
CJK_FALLBACKS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", 0),
    ("C:/Windows/Fonts/msyh.ttc", 0),
    ("C:/Windows/Fonts/simsun.ttc", 0),
)
MISSING_GLYPH = "?"


@dataclass
class PdfFonts:
    """The fonts loaded into one FPDF document and the text clean-up they need."""

    family: str
    unicode: bool
    cmaps: list[set[int]] = field(default_factory=list)
    replaced_characters: set[str] = field(default_factory=set)

    def clean(self, text: str) -> str:
        """Make `text` drawable: drop control characters, replace glyphs no font has."""
        text = "".join(ch if ch >= " " or ch == "\n" else " " for ch in text)
        if not self.unicode:
            return self._to_latin1(text)
        out = []
        for ch in text:
            if ch in " \n" or any(ord(ch) in cmap for cmap in self.cmaps):
                out.append(ch)
            else:
                self.replaced_characters.add(ch)
                out.append(MISSING_GLYPH)
        return "".join(out)

    def _to_latin1(self, text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text)
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        result = []
        for ch in stripped:
            try:
                ch.encode("latin-1")
                result.append(ch)
            except UnicodeEncodeError:
                self.replaced_characters.add(ch)
                result.append(MISSING_GLYPH)
        return "".join(result)


def load_fonts(pdf: FPDF, font_dirs: Sequence[Path] | None = None,
               cjk_fallbacks: Sequence[tuple[str, int]] | None = None) -> PdfFonts:
    """Register the report font (regular + bold) in `pdf`; Helvetica when none is found.

    font_dirs / cjk_fallbacks default to the bundled + system folders and CJK_FALLBACKS, read at
    call time (not bound at import) so that a caller or a test can replace them.
    """
    dirs = [BUNDLED_FONT_DIR, *SYSTEM_FONT_DIRS] if font_dirs is None else list(font_dirs)
    if cjk_fallbacks is None:
        cjk_fallbacks = CJK_FALLBACKS
    regular, bold = _find(dirs, REGULAR_FILES), _find(dirs, BOLD_FILES)
    if regular is None:
        return PdfFonts(CORE_FAMILY, unicode=False)
    pdf.add_font(FONT_FAMILY, "", str(regular))
    pdf.add_font(FONT_FAMILY, "B", str(bold or regular))
    cmaps = [set(pdf.fonts[f"{FONT_FAMILY.lower()}"].cmap)]
    fallback_names = []
    for index, (path, number) in enumerate(cjk_fallbacks):
        if Path(path).is_file():
            name = f"fallback{index}"
            try:
                pdf.add_font(name, "", path, collection_font_number=number)
            except Exception:  # noqa: BLE001 - an unreadable optional font is simply skipped
                continue
            fallback_names.append(name)
            cmaps.append(set(pdf.fonts[name].cmap))
    if fallback_names:
        pdf.set_fallback_fonts(fallback_names, exact_match=False)
    return PdfFonts(FONT_FAMILY, unicode=True, cmaps=cmaps)


def _find(dirs: Sequence[Path], names: Sequence[str]) -> Path | None:
    for name in names:
        for folder in dirs:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None

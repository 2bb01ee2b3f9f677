"""The NormalizeDiacritics table, exactly as Microsoft publishes it.

Source: "Reference for writing expressions for attribute mappings", NormalizeDiacritics: "Returns the
string, but with any diacritical characters replaced with equivalent nondiacritical characters", followed
by a table of character → replacement. Only the table's characters are replaced: Azure does not use a
generic Unicode decomposition, so e.g. ``œ`` (without macron) and ``đ`` pass through unchanged, while
``ø`` becomes ``oe`` and ``ß`` becomes ``ss``. Several entries are base letter + combining marks
(``ā́``); the table is compared in NFC and the longest entry wins.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: (characters with diacritic, replacement) — row by row from the published table.
_TABLE: tuple[tuple[str, str], ...] = (
    ("ä, à, â, ã, å, á, ą, ă, ā, ā́, ā̀, ā̂, ā̃, ǟ, ā̈, ǡ, a̱, å̄", "a"),
    ("Ä, À, Â, Ã, Å, Á, Ą, Ă, Ā, Ā́, Ā̀, Ā̂, Ā̃, Ǟ, Ā̈, Ǡ, A̱, Å̄", "A"),
    ("æ, ǣ", "ae"),
    ("Æ, Ǣ", "AE"),
    ("ç, č, ć, c̄, c̱", "c"),
    ("Ç, Č, Ć, C̄, C̱", "C"),
    ("ď, d̄, ḏ", "d"),
    ("Ď, D̄, Ḏ", "D"),
    ("ë, è, é, ê, ę, ě, ė, ē, ḗ, ḕ, ē̂, ē̃, ê̄, e̱, ë̄, e̊̄", "e"),
    ("Ë, È, É, Ê, Ę, Ě, Ė, Ē, Ḗ, Ḕ, Ē̂, Ē̃, Ê̄, E̱, Ë̄, E̊̄", "E"),
    ("ğ, ḡ, g̱", "g"),
    ("Ğ, Ḡ, G̱", "G"),
    ("ï, î, ì, í, ı, ī, ī́, ī̀, ī̂, ī̃, i̱", "i"),
    ("Ï, Î, Ì, Í, İ, Ī, Ī́, Ī̀, Ī̂, Ī̃, I̱", "I"),
    ("ľ, ł, l̄, ḹ, ḻ", "l"),
    ("Ł, Ľ, L̄, Ḹ, Ḻ", "L"),
    ("ñ, ń, ň, n̄, ṉ", "n"),
    ("Ñ, Ń, Ň, N̄, Ṉ", "N"),
    ("ö, ò, ő, õ, ô, ó, ō, ṓ, ṑ, ō̂, ō̃, ȫ, ō̈, ǭ, ȭ, ȱ, o̱", "o"),
    ("Ö, Ò, Ő, Õ, Ô, Ó, Ō, Ṓ, Ṑ, Ō̂, Ō̃, Ȫ, Ō̈, Ǭ, Ȭ, Ȱ, O̱", "O"),
    ("ø, ø̄, œ̄", "oe"),
    ("Ø, Ø̄, Œ̄", "OE"),
    ("ř, r̄, ṟ, ṝ", "r"),
    ("Ř, R̄, Ṟ, Ṝ", "R"),
    ("ß", "ss"),
    ("š, ś, ș, ş, s̄, s̱", "s"),
    ("Š, Ś, Ș, Ş, S̄, S̱", "S"),
    ("ť, ț, t̄, ṯ", "t"),
    ("Ť, Ț, T̄, Ṯ", "T"),
    ("ü, ù, û, ú, ů, ű, ū, ū́, ū̀, ū̂, ū̃, u̇̄, ǖ, ṻ, ṳ̄, u̱", "u"),
    ("Ü, Ù, Û, Ú, Ů, Ű, Ū, Ū́, Ū̀, Ū̂, Ū̃, U̇̄, Ǖ, Ṻ, Ṳ̄, U̱", "U"),
    ("ÿ, ý, ȳ, ȳ́, ȳ̀, ȳ̃, y̱", "y"),
    ("Ÿ, Ý, Ȳ, Ȳ́, Ȳ̀, Ȳ̃, Y̱", "Y"),
    ("ź, ž, ż, z̄, ẕ", "z"),
    ("Ź, Ž, Ż, Z̄, Ẕ", "Z"),
)


@lru_cache(maxsize=1)
def _compiled() -> tuple[re.Pattern[str], dict[str, str]]:
    mapping: dict[str, str] = {}
    for characters, replacement in _TABLE:
        for entry in characters.split(", "):
            mapping[unicodedata.normalize("NFC", entry.strip())] = replacement
    alternatives = sorted(mapping, key=len, reverse=True)
    return re.compile("|".join(re.escape(a) for a in alternatives)), mapping


def normalize_diacritics(value: str) -> str:
    """Replace the table's characters; everything else is left as it is."""
    pattern, mapping = _compiled()
    return pattern.sub(lambda m: mapping[m.group(0)], unicodedata.normalize("NFC", value))

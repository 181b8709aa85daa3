"""Legacy Vietnamese encodings (TCVN3/ABC and VNI Windows): detection and conversion.

Old office PCs typed Vietnamese with 8-bit fonts. The keyboard driver (ABC, VietKey, VNI,
Unikey in "TCVN3" or "VNI Windows" mode) produced bytes that only look Vietnamese in the
matching font; a workbook stores them as the Windows-1252 characters of those bytes:

- TCVN3 (ABC, TCVN 5712:1993 VN3), fonts ``.VnTime``, ``.VnArial``, …: one byte per letter,
  ``Nguyễn Văn Hùng`` is stored as ``NguyÔn V¨n Hïng``. The lower-case fonts have no code for
  a capital letter with a tone mark (only ``Ă Â Ê Ô Ơ Ư Đ``); the upper-case fonts
  ``.VnTimeH``, ``.VnArialH``, … draw every code, ASCII included, as a capital, so the same
  bytes read ``NGUYỄN VĂN HÙNG`` there. Capitals a lower-case font could not show are
  restored on conversion: ``TH¸NG`` → ``THÁNG``, ``Lª V¨n ¸nh`` → ``Lê Văn Ánh``.
- VNI Windows, fonts ``VNI-Times``, ``VNI-Helve``, …: a base letter followed by a separate
  diacritic byte, ``Nguyeãn Vaên Huøng``; ``ơ ư đ`` and the toned ``i`` are single bytes.

The cell's font name tells the encoding when it is a legacy font. Otherwise the text itself
is judged: each word is read as Unicode, as TCVN3 and as VNI, and the reading in which more
words are well-formed Vietnamese syllables wins; a tie keeps Unicode. Correct Unicode
Vietnamese never reads worse as Unicode, so it is never "converted"; legacy text nearly
always contains a tell-tale character (``¸ µ ¨ © ª « ¬ ® §``, soft hyphen, …) or a VNI
vowel-plus-mark pair (``aø eã uø oâ``) that is not Vietnamese at all when read as Unicode.

Text that cannot be converted cleanly (Unicode and legacy letters mixed in one cell, bytes
the encoding does not define, a VNI mark with nothing to sit on) raises
:class:`LegacyEncodingError`, whose message is a Vietnamese sentence naming the encoding and
the offending word. Everything here is pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from core.errors import CellreportsError

__all__ = [
    "ENCODING_LABELS",
    "LETTERS",
    "TCVN3_TO_UNICODE",
    "UNICODE_TO_TCVN3",
    "UNICODE_TO_VNI",
    "VNI_TO_UNICODE",
    "LegacyEncodingError",
    "convert_cell_text",
    "detect_encoding",
    "detect_encoding_many",
    "from_unicode",
    "is_uppercase_font",
    "is_vietnamese_syllable",
    "legacy_font_encoding",
    "looks_like_mojibake",
    "to_unicode",
]

UNICODE, TCVN3, VNI = "unicode", "tcvn3", "vni"
ENCODINGS = (UNICODE, TCVN3, VNI)
ENCODING_LABELS = {
    UNICODE: "Unicode",
    TCVN3: "TCVN3 (ABC, phông .Vn…)",
    VNI: "VNI (phông VNI-…)",
}

# Tone marks as combining characters, in the order used by the tables below:
# none, huyền, sắc, hỏi, ngã, nặng.
_TONE_ORDER = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_TONE_NAMES = dict(zip(_TONE_ORDER[1:], ("huyen", "sac", "hoi", "nga", "nang"), strict=True))
_VOWELS = "aăâeêioôơuưy"


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _with_tone(base: str, tone: str) -> str:
    return _nfc(base + tone)


# Every Vietnamese letter that is not plain ASCII: 12 vowels x 6 forms, minus the 6 ASCII
# vowels, plus đ — 67 lower-case letters and their 67 capitals.
LETTERS: tuple[str, ...] = tuple(
    letter
    for case in (str.lower, str.upper)
    for letter in (
        *(case(_with_tone(v, t)) for v in _VOWELS for t in _TONE_ORDER),
        case("đ"),
    )
    if not letter.isascii()
)
_VIET_NON_ASCII = frozenset(LETTERS)
# Vietnamese letters that Windows-1252 cannot hold: their presence proves the text is Unicode.
_VIET_BEYOND_LATIN1 = frozenset(ch for ch in LETTERS if ord(ch) > 0xFF)

# --------------------------------------------------------------------------------------------
# TCVN3 (ABC). Rows: vowel -> codes for (no tone, huyền, sắc, hỏi, ngã, nặng), lower case.
# Checked against glibc's TCVN5712-1 table, whose lower-case half is VN3 (see the tests).
_TCVN3_ROWS = {
    "a": ("a", "\xb5", "\xb8", "\xb6", "\xb7", "\xb9"),
    "ă": ("\xa8", "\xbb", "\xbe", "\xbc", "\xbd", "\xc6"),
    "â": ("\xa9", "\xc7", "\xca", "\xc8", "\xc9", "\xcb"),
    "e": ("e", "\xcc", "\xd0", "\xce", "\xcf", "\xd1"),
    "ê": ("\xaa", "\xd2", "\xd5", "\xd3", "\xd4", "\xd6"),
    "i": ("i", "\xd7", "\xdd", "\xd8", "\xdc", "\xde"),
    "o": ("o", "\xdf", "\xe3", "\xe1", "\xe2", "\xe4"),
    "ô": ("\xab", "\xe5", "\xe8", "\xe6", "\xe7", "\xe9"),
    "ơ": ("\xac", "\xea", "\xed", "\xeb", "\xec", "\xee"),
    "u": ("u", "\xef", "\xf3", "\xf1", "\xf2", "\xf4"),
    "ư": ("\xad", "\xf5", "\xf8", "\xf6", "\xf7", "\xf9"),
    "y": ("y", "\xfa", "\xfd", "\xfb", "\xfc", "\xfe"),
}
# The only capitals the lower-case fonts can show; đ is 0xAE.
_TCVN3_EXTRA = {
    "đ": "\xae",
    "Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6", "Đ": "\xa7",
}
UNICODE_TO_TCVN3: dict[str, str] = {
    _with_tone(vowel, tone): code
    for vowel, codes in _TCVN3_ROWS.items()
    for tone, code in zip(_TONE_ORDER, codes, strict=True)
    if not code.isascii()
} | _TCVN3_EXTRA
TCVN3_TO_UNICODE: dict[str, str] = {code: letter for letter, code in UNICODE_TO_TCVN3.items()}

# --------------------------------------------------------------------------------------------
# VNI Windows. A vowel is the base letter followed by one mark byte; the mark also carries the
# circumflex or breve. Upper-case letters use the upper-case form of the same mark bytes.
_VNI_TONE_MARKS = ("", "ø", "ù", "û", "õ", "ï")  # -, huyền, sắc, hỏi, ngã, nặng
_VNI_CIRCUMFLEX_MARKS = ("â", "à", "á", "å", "ã", "ä")  # â ầ ấ ẩ ẫ ậ (also ê…, ô…)
_VNI_BREVE_MARKS = ("ê", "è", "é", "ú", "ü", "ë")  # ă ằ ắ ẳ ẵ ặ
_VNI_ROWS_LOWER: dict[str, tuple[str, ...]] = {
    "a": tuple("a" + m for m in _VNI_TONE_MARKS),
    "ă": tuple("a" + m for m in _VNI_BREVE_MARKS),
    "â": tuple("a" + m for m in _VNI_CIRCUMFLEX_MARKS),
    "e": tuple("e" + m for m in _VNI_TONE_MARKS),
    "ê": tuple("e" + m for m in _VNI_CIRCUMFLEX_MARKS),
    "i": ("i", "ì", "í", "æ", "ó", "ò"),
    "o": tuple("o" + m for m in _VNI_TONE_MARKS),
    "ô": tuple("o" + m for m in _VNI_CIRCUMFLEX_MARKS),
    "ơ": tuple("ô" + m for m in _VNI_TONE_MARKS),
    "u": tuple("u" + m for m in _VNI_TONE_MARKS),
    "ư": tuple("ö" + m for m in _VNI_TONE_MARKS),
    "y": ("y", "yø", "yù", "yû", "yõ", "î"),
}
UNICODE_TO_VNI: dict[str, str] = {"đ": "ñ", "Đ": "Ñ"}
for _vowel, _codes in _VNI_ROWS_LOWER.items():
    for _tone, _code in zip(_TONE_ORDER, _codes, strict=True):
        if _code.isascii():
            continue
        _letter = _with_tone(_vowel, _tone)
        UNICODE_TO_VNI[_letter] = _code
        UNICODE_TO_VNI[_letter.upper()] = _code.upper()
VNI_TO_UNICODE: dict[str, str] = {code: letter for letter, code in UNICODE_TO_VNI.items()}
_VNI_MARKS = frozenset(
    m for m in (*_VNI_TONE_MARKS, *_VNI_CIRCUMFLEX_MARKS, *_VNI_BREVE_MARKS) if m
) | frozenset(m.upper() for m in (*_VNI_TONE_MARKS, *_VNI_CIRCUMFLEX_MARKS, *_VNI_BREVE_MARKS))
# base (lower case) -> {mark (lower case) -> lower-case letter}; a mark of either case is
# accepted after a base of either case, the result taking the case of the base.
_VNI_PAIRS: dict[str, dict[str, str]] = {}
for _code, _letter in VNI_TO_UNICODE.items():
    if len(_code) == 2 and _letter.islower():
        _VNI_PAIRS.setdefault(_code[0], {})[_code[1]] = _letter
_VNI_SINGLES = {code: letter for code, letter in VNI_TO_UNICODE.items() if len(code) == 1}
del _vowel, _codes, _tone, _code, _letter

_TCVN3_CODES = frozenset(TCVN3_TO_UNICODE)
_VNI_CODES = frozenset(_VNI_SINGLES) | _VNI_MARKS
_LEGACY_CHARS = _TCVN3_CODES | _VNI_CODES


class LegacyEncodingError(CellreportsError, ValueError):
    """Text in a legacy Vietnamese encoding that cannot be converted to Unicode cleanly."""

    def __init__(self, message_vi: str, *, encoding: str, fragment: str, reason: str):
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.encoding = encoding
        self.fragment = fragment
        self.reason = reason  # "mixed", "unmapped", "stray_mark" or "mojibake"


def _error(reason: str, encoding: str, text: str, index: int, char: str) -> LegacyEncodingError:
    fragment = _word_at(text, index)
    label = ENCODING_LABELS[encoding]
    if reason == "mixed":
        message = (
            f"Văn bản lẫn chữ Unicode với chữ gõ bằng bảng mã {label} nên không chuyển "
            f"sang Unicode được chính xác: «{fragment}»."
        )
    elif reason == "stray_mark":
        message = (
            f"Văn bản gõ bằng bảng mã {label} có dấu «{char}» không đi kèm nguyên âm nào, "
            f"không chuyển sang Unicode được: «{fragment}»."
        )
    else:
        message = (
            f"Văn bản gõ bằng bảng mã {label} có ký tự «{char}» không thuộc bảng mã này, "
            f"không chuyển sang Unicode được: «{fragment}»."
        )
    return LegacyEncodingError(message, encoding=encoding, fragment=fragment, reason=reason)


def _word_at(text: str, index: int, limit: int = 40) -> str:
    start = text.rfind(" ", 0, index) + 1
    end = text.find(" ", index)
    word = text[start : end if end >= 0 else len(text)]
    return word if len(word) <= limit else word[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# Font names


@lru_cache(maxsize=1024)
def legacy_font_encoding(font_name: str | None) -> str | None:
    """``"tcvn3"`` for a ``.Vn…`` font, ``"vni"`` for a ``VNI-…`` font, else None."""
    name = (font_name or "").strip().lstrip("@").strip().lower()
    if name.startswith(".vn"):
        return TCVN3
    if re.match(r"vni[-_ ]", name):
        return VNI
    return None


def is_uppercase_font(font_name: str | None) -> bool:
    """True for the TCVN3 capitals-only fonts (``.VnTimeH``, ``.VnArialH``, ``.Vn3DH`` …)."""
    name = (font_name or "").strip().lstrip("@").strip()
    return legacy_font_encoding(name) == TCVN3 and name.endswith("H")


# --------------------------------------------------------------------------------------------
# Conversion


def _unshift_private_use(text: str) -> str:
    # Some programs hand 8-bit "symbol" font text over as U+F0xx; the low byte is the code.
    if not any("\uf020" <= ch <= "\uf0ff" for ch in text):
        return text
    return "".join(chr(ord(ch) - 0xF000) if "\uf020" <= ch <= "\uf0ff" else ch for ch in text)


def _foreign_letter(ch: str) -> bool:
    """A non-ASCII letter that a legacy decoder must not let through unchanged."""
    return not ch.isascii() and ch.isalpha()


def _decode_tcvn3(text: str) -> str:
    out = []
    for index, ch in enumerate(text):
        letter = TCVN3_TO_UNICODE.get(ch)
        if letter is not None:
            out.append(letter)
        elif ch in _VIET_BEYOND_LATIN1:  # a letter only Unicode can hold: text is mixed
            raise _error("mixed", TCVN3, text, index, ch)
        elif _foreign_letter(ch):
            raise _error("unmapped", TCVN3, text, index, ch)
        else:
            out.append(ch)
    return "".join(out)


def _decode_vni(text: str) -> str:
    out = []
    index, size = 0, len(text)
    while index < size:
        ch = text[index]
        nxt = text[index + 1] if index + 1 < size else ""
        pair = _VNI_PAIRS.get(ch.lower(), {}).get(nxt.lower()) if nxt in _VNI_MARKS else None
        if pair is not None:
            out.append(pair.upper() if ch.isupper() else pair)
            index += 2
            continue
        if ch in _VNI_SINGLES:
            out.append(_VNI_SINGLES[ch])
        elif ch in _VNI_MARKS:
            raise _error("stray_mark", VNI, text, index, ch)
        elif ch in _VIET_BEYOND_LATIN1:
            raise _error("mixed", VNI, text, index, ch)
        elif _foreign_letter(ch):
            raise _error("unmapped", VNI, text, index, ch)
        else:
            out.append(ch)
        index += 1
    return "".join(out)


_WORD = re.compile(r"\w+")


# Lower-case letters whose capital the lower-case TCVN3 fonts cannot show: the toned vowels.
_NO_TCVN3_CAPITAL = frozenset(
    ch for ch in UNICODE_TO_TCVN3 if ch.islower() and ch.upper() not in UNICODE_TO_TCVN3
)


def _fix_tcvn3_case(text: str) -> str:
    """Restore capitals a lower-case TCVN3 font could not show.

    The lower-case fonts (``.VnTime``) have no toned capitals: ``THÁNG`` typed there shows
    ``THáNG`` and ``Thu Ánh`` shows ``Thu ánh``. So a word with two or more capitals and no
    ASCII lower case was meant in capitals; once one such word holds a lower-case toned letter,
    so was every word without ASCII lower case (``X·`` in ``CéNG HOµ X· HéI``), though not
    ``Sè`` in ``Sè GCN BDNTV§``. And when every word begins with a capital except some that
    begin with a toned vowel, those were meant capitalised too (``Lª V¨n ¸nh``).
    """

    def capsy(word: str) -> bool:
        return any(ch.isupper() for ch in word) and not any("a" <= ch <= "z" for ch in word)

    def shouting(word: str) -> bool:
        return capsy(word) and sum(ch.isupper() for ch in word) >= 2

    words = _WORD.findall(text)
    evidence = any(shouting(w) and any(ch.islower() for ch in w) for w in words)
    fix = capsy if evidence else shouting
    text = _WORD.sub(lambda m: m.group(0).upper() if fix(m.group(0)) else m.group(0), text)

    initials = [w[0] for w in _WORD.findall(text) if w[0].isalpha()]
    if any(c.isupper() for c in initials) and all(
        c.isupper() or c in _NO_TCVN3_CAPITAL for c in initials
    ):
        text = _WORD.sub(
            lambda m: m.group(0)[0].upper() + m.group(0)[1:]
            if m.group(0)[0] in _NO_TCVN3_CAPITAL
            else m.group(0),
            text,
        )
    return text


def to_unicode(text: str, encoding: str, *, uppercase_font: bool = False) -> str:
    """The text converted from ``encoding`` ("unicode", "tcvn3" or "vni") to NFC Unicode.

    ``uppercase_font`` is for the TCVN3 capitals-only fonts (``.VnTimeH``): everything the font
    shows is a capital, so the result is upper-cased. Raises :class:`LegacyEncodingError` when
    the text cannot be converted cleanly.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {ENCODINGS}")
    text = _nfc(text)
    if encoding == UNICODE:
        return text
    text = _unshift_private_use(text)
    if encoding == TCVN3:
        result = _decode_tcvn3(text)
        if not uppercase_font:
            result = _fix_tcvn3_case(result)
    else:
        result = _decode_vni(text)
    if uppercase_font:
        result = result.upper()
    return _nfc(result)


def from_unicode(text: str, encoding: str, *, uppercase_font: bool = False) -> str:
    """The text as a legacy keyboard driver would have typed it (the inverse of ``to_unicode``).

    For TCVN3, a capital with a tone mark has no code in the lower-case fonts and takes the
    code of its lower-case letter (what the ABC driver did): it reads back as a capital only
    in an upper-case font (``uppercase_font=True``) or inside a word in capitals. Raises
    :class:`LegacyEncodingError` for a character the encoding cannot carry.
    """
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {ENCODINGS}")
    text = _nfc(text)
    if encoding == UNICODE:
        return text
    table = UNICODE_TO_TCVN3 if encoding == TCVN3 else UNICODE_TO_VNI
    codes = _TCVN3_CODES if encoding == TCVN3 else _VNI_CODES
    out = []
    for index, ch in enumerate(text):
        code = table.get(ch)
        if code is None and encoding == TCVN3 and ch in _VIET_NON_ASCII:
            code = table.get(ch.lower())
        if code is not None:
            out.append(code)
        elif ch.isascii() or not (ch in codes or ch.isalpha()):
            out.append(ch.lower() if uppercase_font else ch)
        else:
            raise _error("unmapped", encoding, text, index, ch)
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Vietnamese syllables: the yardstick of detection

_ONSETS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "q", "r", "s", "t", "v", "x", "",
)
_STOPS = frozenset({"c", "ch", "p", "t"})
_F_NG = frozenset({"c", "m", "n", "ng", "p", "t"})
_F_NH = frozenset({"ch", "m", "n", "nh", "p", "t"})
_F_ALL = _F_NG | _F_NH
_F_MNPT = frozenset({"m", "n", "p", "t"})
_NONE: frozenset[str] = frozenset()

# vowel cluster -> (final required?, finals allowed, positions the tone mark may sit on)
_RHYMES: dict[str, tuple[bool, frozenset[str], tuple[int, ...]]] = {
    "a": (False, _F_ALL, (0,)), "ă": (True, _F_NG, (0,)), "â": (True, _F_NG, (0,)),
    "e": (False, _F_NG, (0,)), "ê": (False, _F_NH, (0,)), "i": (False, _F_NH, (0,)),
    "y": (False, _NONE, (0,)), "o": (False, _F_NG, (0,)), "ô": (False, _F_NG, (0,)),
    "ơ": (False, _F_MNPT, (0,)), "u": (False, _F_NG, (0,)), "ư": (False, _F_NG, (0,)),
    **{
        c: (False, _NONE, (0,))
        for c in (
            "ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi",
            "ua", "ui", "ưa", "ưi", "ưu",
        )
    },
    "iê": (True, _F_NG, (1,)), "yê": (True, _F_NG, (1,)),
    "uô": (True, _F_NG, (0, 1)), "ươ": (True, _F_NG, (0, 1)),
    "oa": (False, _F_ALL, (0, 1)), "oă": (True, _F_NG, (1,)), "oe": (False, _F_NG, (0, 1)),
    "uâ": (True, _F_NG, (1,)), "uê": (False, _F_NH, (1,)), "uy": (False, _F_NH, (0, 1)),
    "uơ": (False, _NONE, (1,)), "oo": (True, frozenset({"c", "ng"}), (0, 1)),
    **{
        c: (False, _NONE, (1,))
        for c in ("oai", "oay", "oao", "oeo", "uây", "uôi", "ươi", "ươu", "iêu", "yêu", "uyu",
                  "uya")
    },
    "uyê": (True, frozenset({"n", "t"}), (2,)),
}
_FINALS_BY_LENGTH = ("ng", "nh", "ch", "c", "m", "n", "p", "t", "")
_FRONT = "ieêy"  # k, gh, ngh go before these; c, ng, g do not (g may: gì)
# clusters opening with the medial o/u, which c, k and the labials never take (qu- instead)
_MEDIAL = frozenset({
    "oa", "oă", "oe", "oai", "oay", "oao", "oeo", "uâ", "uê", "uy", "uya", "uyê", "uây", "uơ",
})
_NO_MEDIAL = frozenset({"b", "c", "k", "m", "p", "ph", "v"})
_CONSONANTS = frozenset("bcdđghklmnpqrstvx")


def _strip_tones(word: str) -> tuple[str, int | None, str | None] | None:
    """(the word without tone marks, index of the toned letter, tone) or None if > 1 tone."""
    bare, tone_at, tone = [], None, None
    for index, ch in enumerate(word):
        parts = unicodedata.normalize("NFD", ch)
        marks = [m for m in parts if m in _TONE_NAMES]
        if marks:
            if tone is not None or len(marks) > 1:
                return None
            tone_at, tone = index, _TONE_NAMES[marks[0]]
            parts = "".join(m for m in parts if m not in _TONE_NAMES)
        bare.append(_nfc(parts))
    return "".join(bare), tone_at, tone


def _rhyme_ok(rest: str, tone_at: int | None, tone: str | None) -> str | None:
    """The vowel cluster if ``rest`` (after the onset) is a well-formed rhyme, else None."""
    for final in _FINALS_BY_LENGTH:
        if final and not rest.endswith(final):
            continue
        cluster = rest[: len(rest) - len(final)]
        rule = _RHYMES.get(cluster)
        if rule is None:
            continue
        required, finals, positions = rule
        if (final and final not in finals) or (required and not final):
            continue
        if tone_at is not None and tone_at not in positions:
            continue
        if final in _STOPS and tone not in ("sac", "nang"):
            continue  # -c -ch -p -t syllables carry only the sắc or nặng tone
        if cluster == "oo" and tone not in (None, "sac"):
            continue  # xoong, boong, moóc: loan words
        return cluster
    return None


def _onset_fits(onset: str, cluster: str) -> bool:
    if onset in ("k", "gh", "ngh"):
        return cluster[0] in _FRONT
    if onset in ("c", "ng") and cluster[0] in _FRONT:
        return False
    if onset == "g" and cluster[0] in "eê":
        return False
    if onset == "qu" and cluster[0] in "uo":
        return False
    if onset == "q" and cluster[0] != "u":
        return False
    return not (onset in _NO_MEDIAL and cluster in _MEDIAL)


@lru_cache(maxsize=65536)
def _syllable(word: str, relaxed: bool = False) -> bool:
    """Whether a lower-case word is one Vietnamese syllable.

    ``relaxed`` also admits a consonant followed by l, m, n, r or t as the onset, as in the
    names of the Central Highlands peoples (Hrê, Mnông, Xtiêng, Brâu, Hmông).
    """
    if not word or any(not (("a" <= ch <= "z") or ch in _VIET_NON_ASCII) for ch in word):
        return False
    stripped = _strip_tones(word)
    if stripped is None:
        return False
    bare, tone_at, tone = stripped
    for onset in _ONSETS:
        if bare.startswith(onset):
            rest_tone = None if tone_at is None else tone_at - len(onset)
            cluster = _rhyme_ok(bare[len(onset) :], rest_tone, tone)
            if cluster is not None and _onset_fits(onset, cluster):
                return True
    if relaxed and len(bare) > 2 and bare[0] in _CONSONANTS and bare[1] in "lmnrt":
        rest_tone = None if tone_at is None else tone_at - 2
        return _rhyme_ok(bare[2:], rest_tone, tone) is not None
    return False


def _natural_case(word: str) -> bool:
    return word.islower() or word.isupper() or (word[0].isupper() and word[1:].islower())


def is_vietnamese_syllable(word: str) -> bool:
    """True if ``word`` is one well-formed Vietnamese syllable, with its marks, in natural case.

    Natural case is all lower, all upper, or a capital followed by lower case. Onset, vowel
    cluster, final consonant, tone placement (old and new style) and the rule that ``-c -ch
    -p -t`` finals take only the sắc or nặng tone are checked; loan words are not syllables.
    """
    word = _nfc(word)
    if not word or not word.isalpha() or not _natural_case(word):
        return False
    return _syllable(word.lower())


# --------------------------------------------------------------------------------------------
# Detection

# Tokens: runs between white space, ASCII punctuation, digits and general punctuation. The
# Latin-1 symbols stay inside tokens because TCVN3 uses them as letters.
_TOKEN = re.compile(r"[^\s!-@\[-`{-~\u2000-\u206f\u3000-\u303f]+")
_ACRONYM = re.compile(r"[A-ZĐ]{2,}")
STRICT, RELAXED, INVALID = 2, 1, 0


def _quality(reading: str) -> int:
    """How Vietnamese one token reads: a syllable (or an acronym such as BDNTVĐ), a syllable
    with a minority-language onset cluster, or neither.

    Non-letters may only surround the word, and only if no legacy encoding uses them as
    letters: ``§u`` is not the Unicode word ``u``.
    """
    start, end = 0, len(reading)
    while start < end and not reading[start].isalpha() and reading[start] not in _LEGACY_CHARS:
        start += 1
    while end > start and not reading[end - 1].isalpha() and reading[end - 1] not in _LEGACY_CHARS:
        end -= 1
    word = reading[start:end]
    if not word or not word.isalpha() or not _natural_case(word):
        return INVALID
    if _ACRONYM.fullmatch(word):
        return STRICT
    lower = word.lower()
    if _syllable(lower):
        return STRICT
    return RELAXED if _syllable(lower, True) else INVALID


def _suspect_tokens(text: str) -> list[str]:
    """Tokens whose reading depends on the encoding: non-ASCII, with at least one letter."""
    return [
        token
        for token in _TOKEN.findall(text)
        if not token.isascii() and any(ch.isalpha() for ch in token)
    ]


def _reading(token: str, encoding: str, uppercase_font: bool) -> str | None:
    try:
        return to_unicode(token, encoding, uppercase_font=uppercase_font)
    except LegacyEncodingError:
        return None


# Rough likelihood of a letter in Vietnamese text, by its tone (a tie-breaker only).
_TONE_PRIOR = {None: 4, "huyen": 3, "sac": 3, "nang": 2, "hoi": 1, "nga": 0}
_LETTER_PRIOR = {
    letter: _TONE_PRIOR[(_strip_tones(letter.lower()) or ("", None, None))[2]]
    for letter in LETTERS
}


class _Scores:
    """Per encoding: tokens reading as syllables, as syllables at least relaxed, how likely
    the letters of the valid readings are, and tell-tales."""

    def __init__(self, text: str, uppercase_font: bool = False):
        self.tokens = _suspect_tokens(text)
        self.strict = dict.fromkeys(ENCODINGS, 0)
        self.relaxed = dict.fromkeys(ENCODINGS, 0)
        self.prior = dict.fromkeys(ENCODINGS, 0)
        for token in self.tokens:
            for encoding in ENCODINGS:
                reading = _reading(token, encoding, uppercase_font and encoding == TCVN3)
                quality = INVALID if reading is None else _quality(reading)
                self.strict[encoding] += quality == STRICT
                self.relaxed[encoding] += quality >= RELAXED
                if reading is not None and quality != INVALID:
                    self.prior[encoding] += sum(_LETTER_PRIOR.get(ch, 0) for ch in reading)
        self.tells = {
            UNICODE: 0,
            TCVN3: sum(ch in _TCVN3_CODES and ch not in _VNI_CODES for ch in text),
            VNI: sum(
                bool(_VNI_PAIRS.get(a.lower(), {}).get(b.lower()))
                for a, b in zip(text, text[1:], strict=False)
                if b in _VNI_MARKS
            ),
        }

    def add(self, other: _Scores) -> None:
        self.tokens += other.tokens
        for encoding in ENCODINGS:
            self.strict[encoding] += other.strict[encoding]
            self.relaxed[encoding] += other.relaxed[encoding]
            self.prior[encoding] += other.prior[encoding]
            self.tells[encoding] += other.tells[encoding]

    def key(self, encoding: str) -> tuple[int, int]:
        return self.strict[encoding], self.relaxed[encoding]

    def best_legacy(self) -> str:
        """TCVN3 or VNI: more valid words, then likelier letters, then more tell-tales.

        A word can be valid in both (``Nhö`` is VNI "Như" and TCVN3 "Nhử"); the likelier
        letters (plain ư ơ đ over rarely toned ử ụ ủ) then decide.
        """

        def rank(encoding: str) -> tuple[int, int, int, int]:
            return (*self.key(encoding), self.prior[encoding], self.tells[encoding])

        return TCVN3 if rank(TCVN3) >= rank(VNI) else VNI

    def verdict(self) -> str:
        """The legacy encoding if strictly more words read as Vietnamese in it, else Unicode."""
        legacy = self.best_legacy()
        return legacy if self.key(legacy) > self.key(UNICODE) else UNICODE

    def all_valid(self, encoding: str) -> bool:
        return self.strict[encoding] == len(self.tokens)


def _has_legacy_chars(text: str) -> bool:
    return any(ch in _LEGACY_CHARS or "\uf020" <= ch <= "\uf0ff" for ch in text)


@lru_cache(maxsize=65536)  # pure; the same labels and names recur in every file
def _detect(text: str, font_name: str | None) -> tuple[str, bool]:
    text = _nfc(text or "")
    font_encoding = legacy_font_encoding(font_name)
    uppercase = is_uppercase_font(font_name)
    if any(ch in _VIET_BEYOND_LATIN1 for ch in text):
        return UNICODE, False  # Windows-1252 cannot hold ơ ư ă đ ạ ễ …: typed in Unicode
    if font_encoding is None:
        if not _has_legacy_chars(text):
            return UNICODE, False
        return _Scores(text).verdict(), False
    if text.isascii() or not _has_legacy_chars(text):
        return font_encoding, uppercase
    # The font decides, unless the text contradicts it: another reading is entirely
    # Vietnamese while the font's is not (Unicode typed into an old template, say).
    scores = _Scores(text, uppercase)
    if not scores.all_valid(font_encoding):
        for other in (UNICODE, TCVN3, VNI):
            if other != font_encoding and scores.all_valid(other):
                return other, uppercase and other == TCVN3
    return font_encoding, uppercase


def detect_encoding(text: str, font_name: str | None = None) -> str:
    """How ``text`` (a cell's string) was typed: "unicode", "tcvn3" or "vni".

    A legacy font name (``.Vn…`` → tcvn3, ``VNI-…`` → vni) decides, unless the text holds
    letters Windows-1252 cannot (then it is Unicode) or reads as Vietnamese only in another
    encoding. Without a legacy font the text decides: a legacy encoding is returned only when
    strictly more of its words read as Vietnamese syllables in it than as Unicode. Use
    :func:`is_uppercase_font` for the ``.Vn…H`` capitals-only variant.
    """
    return _detect(text, font_name)[0]


def detect_encoding_many(texts: Iterable[str]) -> str:
    """The encoding of a set of texts judged together (e.g. all the cells of one sheet).

    Short cells can be ambiguous on their own (``bé`` is Unicode "bé" and TCVN3 "bộ"); pooled
    over a sheet, the legacy words settle it. Texts holding letters only Unicode has count
    as Unicode.
    """
    total = _Scores("")
    for text in texts:
        text = _nfc(text or "")
        if any(ch in _VIET_BEYOND_LATIN1 for ch in text):
            tokens = len(_suspect_tokens(text))
            total.strict[UNICODE] += tokens
            total.relaxed[UNICODE] += tokens
        elif _has_legacy_chars(text):
            total.add(_Scores(text))
    return total.verdict()


def convert_cell_text(text: str, font_name: str | None = None) -> tuple[str, str]:
    """(the cell text in NFC Unicode, the encoding it was detected in).

    Raises :class:`LegacyEncodingError` when the text cannot be converted cleanly or the
    result would still look like mojibake (``reason`` "mixed" for Unicode with legacy words
    in it, "mojibake" otherwise; ``encoding`` the legacy encoding the bad word reads in, or
    "unknown").
    """
    encoding, uppercase = _detect(text, font_name)
    result = to_unicode(text, encoding, uppercase_font=uppercase)
    found = _mojibake_at(result)
    if found is not None:
        index, culprit = found
        fragment = _word_at(result, index)
        mixed = culprit is not None and any(ch in _VIET_BEYOND_LATIN1 for ch in result)
        raise LegacyEncodingError(
            (
                f"Văn bản lẫn chữ Unicode với chữ gõ bằng bảng mã {ENCODING_LABELS[culprit]}, "
                f"không chuyển sang Unicode được chính xác: «{fragment}»."
                if mixed and culprit is not None
                else "Văn bản bị lỗi phông chữ hoặc bảng mã (không phải Unicode chuẩn), "
                f"không đọc được chính xác: «{fragment}»."
            ),
            encoding=culprit or "unknown",
            fragment=fragment,
            reason="mixed" if mixed else "mojibake",
        )
    return result, encoding


# --------------------------------------------------------------------------------------------
# Safety check

_UTF8_AS_1252 = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152-\u2122]")
_SYMBOL_IN_WORD = re.compile(r"[^\W\d_][\u00a1-\u00ac\u00ae-\u00bf\u00d7\u00f7][^\W\d_]")
# TCVN3 codes that are symbols in Windows-1252 (« » · excepted: real quotes and dots); next to
# a letter they are legacy text.
_TCVN3_TELLS = "¡¢£¤¥¦§¨©ª¬®µ¶¸¹¼½¾"
_TCVN3_TELL = re.compile(f"[^\\W\\d_][{_TCVN3_TELLS}]|[{_TCVN3_TELLS}][^\\W\\d_]")
# VNI vowel + mark pairs that no language writes (unlike où, aé, naïve, Raúl, Raphaël, août).
_VNI_TELL_PAIRS = (
    "aâ", "eâ", "oâ", "aê", "aá", "aà", "aå", "aã", "aä", "eá", "eà", "eå", "eã", "eä", "oå",
    "oä", "aø", "eø", "oø", "uø", "yø", "ôø", "öø", "aõ", "eõ", "oõ", "uõ", "yõ", "ôõ", "öõ",
)
_VNI_TELL = re.compile(
    "|".join(sorted({v for p in _VNI_TELL_PAIRS for v in (p, p.upper(), p[0].upper() + p[1])}))
)
_BROKEN = re.compile("[\ufffd\u0080-\u009f]")


def _utf8_mojibake(text: str) -> int | None:
    """Where UTF-8 bytes read as Windows-1252 or Latin-1 (``Nguyá»…n``) begin, if anywhere."""
    for match in re.finditer(r"\S+", text):
        word = match.group(0)
        if not _UTF8_AS_1252.search(word):
            continue
        for codec in ("cp1252", "latin-1"):
            try:
                decoded = word.encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if decoded != word:
                return match.start()
    return None


def _legacy_word(token: str) -> str | None:
    """The legacy encoding in which a token reads as Vietnamese while it does not as Unicode."""
    if any(ch in _VIET_BEYOND_LATIN1 for ch in token) or _quality(token) != INVALID:
        return None
    for encoding in (TCVN3, VNI):
        reading = _reading(token, encoding, False)
        if reading is not None and _quality(reading) != INVALID:
            return encoding
    return None


def _mojibake_at(text: str) -> tuple[int, str | None] | None:
    """(where, the legacy encoding to blame or None) of the first sign of mojibake."""
    text = _nfc(text or "")
    if text.isascii():
        return None
    broken = _BROKEN.search(text)
    if broken is not None:
        return broken.start(), None
    utf8 = _utf8_mojibake(text)
    if utf8 is not None:
        return utf8, None
    if not _has_legacy_chars(text) and not _SYMBOL_IN_WORD.search(text):
        return None
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token.isascii():
            continue
        broken_here, culprit = _token_mojibake(token)
        if broken_here:
            return match.start(), culprit
    return None


def _token_mojibake(token: str) -> tuple[bool, str | None]:
    """Whether one non-ASCII word shows mojibake, and the legacy encoding to blame."""
    if any(ch.isalpha() for ch in token):
        culprit = _legacy_word(token)
        if culprit is not None:
            return True, culprit
    if _TCVN3_TELL.search(token):
        return True, TCVN3
    if _VNI_TELL.search(token):
        return True, VNI
    return bool(_SYMBOL_IN_WORD.search(token)), None


def looks_like_mojibake(text: str) -> bool:
    """True if ``text``, meant to be final Unicode, still shows signs of a wrong encoding.

    Signs: U+FFFD or C1 control characters; UTF-8 read as Windows-1252 (``Nguyá»…n``); a word
    that is Vietnamese only when read as TCVN3 or VNI (``NguyÔn``, ``Nguyeãn``), even next to
    correct Unicode words; a Latin-1 symbol wedged between letters (``Nguy¿n``, VISCII-like).
    """
    return _mojibake_at(text) is not None

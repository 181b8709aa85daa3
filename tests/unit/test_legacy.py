"""Legacy Vietnamese encodings (TCVN3/ABC, VNI): tables, detection, conversion, rejection."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest

from core import layout
from forms.legacy import (
    LETTERS,
    TCVN3_TO_UNICODE,
    UNICODE_TO_TCVN3,
    UNICODE_TO_VNI,
    VNI_TO_UNICODE,
    LegacyEncodingError,
    convert_cell_text,
    detect_encoding,
    detect_encoding_many,
    from_unicode,
    is_uppercase_font,
    is_vietnamese_syllable,
    legacy_font_encoding,
    looks_like_mojibake,
    to_unicode,
)

TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
LOWER = [unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in TONES] + ["đ"]
UPPER = [letter.upper() for letter in LOWER]

FONTS = {"tcvn3": ".VnTime", "vni": "VNI-Times"}
PHRASES = [
    "Nguyễn Thị Thu Hà",
    "Trường THPT Lộc Thành",
    "Đoàn viên",
    "Kết nạp trong tháng",
    "Chi bộ đề nghị kết nạp",
    "K'Ho",
    "Điểu K'Lang",
    "Bí thư chi bộ",
]

# Real Unicode text of the kind a cell holds: none of it may be taken for a legacy encoding.
UNICODE_TEXTS = [
    *PHRASES,
    "Nguyễn", "Học sinh", "Không", "Nữ", "Nam", "Có", "Mạ", "K'Ho", "Tà Ôi", "Hà Nhì",
    "Tôn giáo", "Phật giáo", "Công giáo", "Tin Lành", "Cao Đài", "Hòa Hảo", "Lê Tám",
    "Trần Văn Hùng", "Phạm Thị Ánh Tuyết", "Hoàng Minh Quân", "Võ Thị Sáu", "Đặng Quốc Bảo",
    "Bùi Thị Xuân", "Huỳnh Tấn Phát", "Dương Văn Minh", "Ngô Quyền", "Lý Thường Kiệt",
    "Ka Điệp", "K'Brel", "Điểu Thị Hương", "Ma Thị Ngọc", "Ya Hoa", "H'Mông", "M'Nông",
    "Lớp 12A1", "Lớp 10 chuyên Toán", "Giáo viên chủ nhiệm", "Phó hiệu trưởng",
    "Trường THCS Lộc Bắc", "Trường THPT Bảo Lâm", "Huyện Bảo Lâm, tỉnh Lâm Đồng",
    "Xã Lộc Thành", "Thị trấn Lộc Thắng", "Học sinh giỏi cấp tỉnh", "Đạt", "Không đạt",
    "Đã học lớp bồi dưỡng nhận thức về Đảng", "Được phân công giúp đỡ",
    "Số 25-TB/BTCHU ngày 12/3/2024", "Hướng dẫn 12-HD/BTCTW", "Quyết định kết nạp",
    "Chuyển sinh hoạt đảng", "Gia đình có công với cách mạng", "Ủy viên Ban chấp hành",
    "Thủy", "Thuỷ", "Hoà", "Hòa", "Khoẻ", "Quỳnh", "Quyết", "Người", "Rượu", "Khuỷu",
    "Giữa", "Gìn giữ", "Nghiêng", "Xoong", "Thuở", "Ưu tiên", "Ý kiến", "Ơn",
    "Tày", "Thái", "Tày Thái", "Lào", "Giáy", "Kháng", "Lô Lô", "Pu Péo", "Hrê", "Xtiêng",
    "Mnông", "Brâu",
    # other languages, and symbols
    "café", "Lycée Français", "Crème brûlée", "François Müller", "José", "São Paulo",
    "Señor Núñez", "naïve", "Noël", "Zoë", "Hélène", "déjà vu", "à la carte", "garçon",
    "Zürich", "Köln", "Björk", "Ångström", "Æsop", "Øresund", "Straße", "Résumé", "Éric",
    "© 2024", "37°C", "½ ngày", "« Hà Nội »", "Số № 5", "“Đúng”", "Tổng – cộng…",
    "SĐT: 0912 345 678", "email@truong.edu.vn", "THPT", "STT", "BL01", "",
    "NGUYỄN VĂN AN", "DANH SÁCH QUẦN CHÚNG", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
]
FORM_LABELS = [
    *layout.ROSTER_COLUMNS.values(),
    *layout.INDICATOR_LABELS.values(),
    *layout.STAGES.values(),
    *layout.ETHNIC_GROUPS,
    *layout.ETHNIC_ALIASES,
    *layout.ETHNIC_ALIASES.values(),
    *layout.POPULATION_LABELS.values(),
    *layout.GENDERS,
    *layout.SUMMARY_HEADERS.values(),
    *(label for label, _ in layout.INFO_FIELDS.values()),
    layout.FORM_VERSION,
    layout.YES,
    layout.NO,
]


# --- tables -----------------------------------------------------------------------------------


def test_the_letter_inventory_is_the_134_non_ascii_vietnamese_letters():
    non_ascii = [ch for ch in LOWER + UPPER if not ch.isascii()]
    assert len(non_ascii) == 134
    assert sorted(LETTERS) == sorted(non_ascii)


def test_tcvn3_table_is_one_byte_per_letter_and_injective():
    assert len(UNICODE_TO_TCVN3) == 67 + 7  # lower case, and Ă Â Ê Ô Ơ Ư Đ
    assert len(TCVN3_TO_UNICODE) == len(UNICODE_TO_TCVN3)
    assert all(len(code) == 1 and 0xA1 <= ord(code) <= 0xFE for code in TCVN3_TO_UNICODE)


def test_vni_table_is_injective_and_uses_the_vni_bytes():
    assert len(UNICODE_TO_VNI) == len(VNI_TO_UNICODE) == 134
    for letter, code in UNICODE_TO_VNI.items():
        assert 1 <= len(code) <= 2
        assert all(ch.isascii() or 0xC0 <= ord(ch) <= 0xFF for ch in code), letter


def test_known_codes():
    # the examples people quote, byte by byte
    assert from_unicode("Nguyễn Văn Hùng", "tcvn3") == "NguyÔn V¨n Hïng"
    assert from_unicode("Nguyễn Văn Hùng", "vni") == "Nguyeãn Vaên Huøng"
    assert from_unicode("ơ ư đ Đ ị Ị ỵ", "vni") == "ô ö ñ Ñ ò Ò î"
    assert from_unicode("Trường", "tcvn3") == "Tr\xadêng"
    assert from_unicode("Đảng", "tcvn3") == "§¶ng"


# Each row: a vowel with no tone, huyền, sắc, hỏi, ngã, nặng.
TCVN3_ROWS = {
    "aàáảãạ": "aµ¸¶·¹", "ăằắẳẵặ": "¨»¾¼½Æ", "âầấẩẫậ": "©ÇÊÈÉË", "eèéẻẽẹ": "eÌÐÎÏÑ",
    "êềếểễệ": "ªÒÕÓÔÖ", "iìíỉĩị": "i×ÝØÜÞ", "oòóỏõọ": "oßãáâä", "ôồốổỗộ": "«åèæçé",
    "ơờớởỡợ": "¬êíëìî", "uùúủũụ": "uïóñòô", "ưừứửữự": "\xadõøö÷ù", "yỳýỷỹỵ": "yúýûüþ",
    "đ Ă Â Ê Ô Ơ Ư Đ": "® ¡ ¢ £ ¤ ¥ ¦ §",
}
VNI_ROWS = {
    "aàáảãạ": ["a", "aø", "aù", "aû", "aõ", "aï"],
    "ăằắẳẵặ": ["aê", "aè", "aé", "aú", "aü", "aë"],
    "âầấẩẫậ": ["aâ", "aà", "aá", "aå", "aã", "aä"],
    "êềếểễệ": ["eâ", "eà", "eá", "eå", "eã", "eä"],
    "ôồốổỗộ": ["oâ", "oà", "oá", "oå", "oã", "oä"],
    "ơờớởỡợ": ["ô", "ôø", "ôù", "ôû", "ôõ", "ôï"],
    "ưừứửữự": ["ö", "öø", "öù", "öû", "öõ", "öï"],
    "iìíỉĩị": ["i", "ì", "í", "æ", "ó", "ò"],
    "yỳýỷỹỵ": ["y", "yø", "yù", "yû", "yõ", "î"],
    "ĂẮỴĐđ": ["AÊ", "AÉ", "Î", "Ñ", "ñ"],
}


@pytest.mark.parametrize(("letters", "codes"), TCVN3_ROWS.items())
def test_tcvn3_rows(letters, codes):
    assert from_unicode(letters, "tcvn3") == codes
    assert to_unicode(codes, "tcvn3") == letters


@pytest.mark.parametrize(("letters", "codes"), VNI_ROWS.items())
def test_vni_rows(letters, codes):
    assert [from_unicode(letter, "vni") for letter in letters] == codes
    assert to_unicode("".join(codes), "vni") == letters


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv not installed")
def test_tcvn3_table_matches_glibc_tcvn5712():
    # glibc's TCVN5712-1 (VN1) has VN3, the ABC fonts' code, as its lower-case half
    codes = bytes(ord(code) for code in TCVN3_TO_UNICODE)
    done = subprocess.run(
        ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=codes, capture_output=True, check=False
    )
    if done.returncode != 0:
        pytest.skip("iconv has no TCVN5712-1")
    decoded = unicodedata.normalize("NFC", done.stdout.decode("utf-8"))
    assert decoded == "".join(TCVN3_TO_UNICODE.values())


# --- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("letter", LOWER + UPPER)
def test_every_letter_round_trips_through_vni(letter):
    assert to_unicode(from_unicode(letter, "vni"), "vni") == letter


@pytest.mark.parametrize("letter", LOWER + ["Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ"])
def test_every_lower_case_letter_round_trips_through_tcvn3(letter):
    assert to_unicode(from_unicode(letter, "tcvn3"), "tcvn3") == letter


@pytest.mark.parametrize("letter", UPPER)
def test_every_capital_round_trips_through_the_tcvn3_uppercase_font(letter):
    encoded = from_unicode(letter, "tcvn3", uppercase_font=True)
    assert to_unicode(encoded, "tcvn3", uppercase_font=True) == letter


@pytest.mark.parametrize("phrase", PHRASES)
@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_real_phrases_round_trip(phrase, encoding):
    encoded = from_unicode(phrase, encoding)
    assert to_unicode(encoded, encoding) == phrase
    assert convert_cell_text(encoded, FONTS[encoding]) == (phrase, encoding)


@pytest.mark.parametrize("phrase", PHRASES)
def test_real_phrases_round_trip_in_capitals(phrase):
    capitals = phrase.upper()
    encoded = from_unicode(capitals, "tcvn3", uppercase_font=True)
    assert to_unicode(encoded, "tcvn3", uppercase_font=True) == capitals
    assert convert_cell_text(encoded, ".VnTimeH") == (capitals, "tcvn3")
    assert to_unicode(from_unicode(capitals, "vni"), "vni") == capitals


def test_real_world_samples():
    assert to_unicode("§éc lËp - Tù do - H¹nh phóc", "tcvn3") == "Độc lập - Tự do - Hạnh phúc"
    assert to_unicode("Ng\xadêi lao ®éng", "tcvn3") == "Người lao động"
    assert (
        to_unicode("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM", "tcvn3", uppercase_font=True)
        == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    )
    # the upper-case fonts draw ASCII lower case as capitals too
    assert to_unicode("- KÕt qu¶ thu ®\xadîc -", "tcvn3", uppercase_font=True) == (
        "- KẾT QUẢ THU ĐƯỢC -"
    )
    assert to_unicode("Xin chaøo caùc baïn", "vni") == "Xin chào các bạn"
    assert to_unicode("Vieät Nam", "vni") == "Việt Nam"
    assert to_unicode("NGUYEÃN THÒ HOAØ", "vni") == "NGUYỄN THỊ HOÀ"


def test_words_in_capitals_in_a_lower_case_tcvn3_font_come_back_in_capitals():
    # .VnTime has no toned capitals: "THÁNG" typed there shows "THáNG"
    assert to_unicode("DANH S¸CH QUÇN CHóNG", "tcvn3") == "DANH SÁCH QUẦN CHÚNG"
    assert to_unicode("CéNG HOµ X· HéI", "tcvn3") == "CỘNG HOÀ XÃ HỘI"
    # no capital Á in .VnTime: a name's toned initial comes back capitalised
    assert to_unicode("Lª V¨n ¸nh", "tcvn3") == "Lê Văn Ánh"
    assert to_unicode("Bïi Thu ý", "tcvn3") == "Bùi Thu Ý"
    assert to_unicode("¸nh s¸ng", "tcvn3") == "ánh sáng"
    assert to_unicode("Chi bé ®Ò nghÞ", "tcvn3") == "Chi bộ đề nghị"


def test_result_is_nfc_even_from_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Thu Hà")
    assert to_unicode(decomposed, "unicode") == "Nguyễn Thị Thu Hà"
    assert convert_cell_text(decomposed) == ("Nguyễn Thị Thu Hà", "unicode")
    legacy = unicodedata.normalize("NFD", from_unicode("Bí thư chi bộ", "vni"))
    assert to_unicode(legacy, "vni") == "Bí thư chi bộ"


# --- detection by font name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("font", "encoding", "uppercase"),
    [
        (".VnTime", "tcvn3", False),
        (".VnTimeH", "tcvn3", True),
        (".VnArial", "tcvn3", False),
        (".VnArial NarrowH", "tcvn3", True),
        (".VnCentury Schoolbook", "tcvn3", False),
        (".VnBahamasB", "tcvn3", False),
        (".VnBahamasBH", "tcvn3", True),
        (" .vntime ", "tcvn3", False),
        ("VNI-Times", "vni", False),
        ("VNI-Helve-Condense", "vni", False),
        ("vni-times", "vni", False),
        ("Times New Roman", None, False),
        ("Arial", None, False),
        ("Calibri", None, False),
        ("VnTime", None, False),
        ("", None, False),
        (None, None, False),
    ],
)
def test_font_names(font, encoding, uppercase):
    assert legacy_font_encoding(font) == encoding
    assert is_uppercase_font(font) is uppercase


def test_font_name_decides_for_legacy_text():
    tcvn3 = from_unicode("Nguyễn Thị Thu Hà", "tcvn3")
    vni = from_unicode("Nguyễn Thị Thu Hà", "vni")
    assert detect_encoding(tcvn3, ".VnTime") == "tcvn3"
    assert detect_encoding(tcvn3, ".VnTimeH") == "tcvn3"
    assert detect_encoding(vni, "VNI-Times") == "vni"
    # an ambiguous word: the font settles it
    assert detect_encoding("Chi bé", ".VnTime") == "tcvn3"
    assert convert_cell_text("Chi bé", ".VnTime") == ("Chi bộ", "tcvn3")
    assert detect_encoding("Chi bé") == "unicode"


def test_uppercase_font_turns_ascii_into_capitals():
    assert convert_cell_text("danh s¸ch", ".VnTimeH") == ("DANH SÁCH", "tcvn3")
    assert convert_cell_text("nam", ".VnTimeH") == ("NAM", "tcvn3")


def test_unicode_text_in_a_legacy_font_cell_stays_unicode():
    # an old template reused with a Unicode keyboard: the font says .VnTime, the text does not
    for text in ("Nguyễn Thị Thu Hà", "Tà Ôi", "Tôn giáo", "Hà Nhì", "Đoàn viên"):
        assert detect_encoding(text, ".VnTime") == "unicode", text
        assert convert_cell_text(text, ".VnTimeH") == (text, "unicode")
        assert detect_encoding(text, "VNI-Times") == "unicode", text
    assert detect_encoding("Nguyen Van A", ".VnTime") == "tcvn3"  # ASCII: the same either way
    assert convert_cell_text("Nguyen Van A", ".VnTime") == ("Nguyen Van A", "tcvn3")


# --- detection without a font name ---------------------------------------------------------------


@pytest.mark.parametrize("text", UNICODE_TEXTS + FORM_LABELS)
def test_no_false_positive_on_unicode_text(text):
    assert detect_encoding(text) == "unicode"
    assert detect_encoding(text, "Times New Roman") == "unicode"
    assert not looks_like_mojibake(text)
    assert convert_cell_text(text) == (unicodedata.normalize("NFC", text), "unicode")


def test_ambiguous_cells_are_settled_by_the_whole_sheet():
    cells = ["Cơ Ho", "Hồng", "Nguyễn Văn Hùng", "Đảng viên", "Có"]
    for encoding in ("tcvn3", "vni"):
        encoded = [from_unicode(cell, encoding) for cell in cells]
        assert detect_encoding(encoded[1 if encoding == "vni" else 4]) == "unicode"  # alone
        assert detect_encoding_many(encoded) == encoding


def test_symbol_font_private_use_characters_are_read_as_their_byte():
    assert to_unicode("Nguy\uf0d4n", "tcvn3") == "Nguyễn"
    assert convert_cell_text("Nguy\uf0d4n V\uf0a8n") == ("Nguyễn Văn", "tcvn3")


def test_no_false_positive_pooled():
    assert len(UNICODE_TEXTS) >= 40
    assert detect_encoding_many(UNICODE_TEXTS + FORM_LABELS) == "unicode"


@pytest.mark.parametrize("text", ["", "STT", "Nguyen Van A", "BL01", "2024-03", "K'Ho", "a b c"])
def test_ascii_is_unicode(text):
    assert detect_encoding(text) == "unicode"
    assert convert_cell_text(text) == (text, "unicode")
    assert not looks_like_mojibake(text)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
@pytest.mark.parametrize(
    "phrase",
    [p for p in PHRASES if not p.isascii()]
    + [
        "Nguyễn Văn Hùng", "Trần Thị Mỹ Duyên", "Quần chúng trong danh sách cảm tình đảng",
        "Đã học lớp BDNTVĐ", "Thẩm tra lý lịch", "Đảng viên dự bị", "Cảm tình đảng",
        "Dừng theo dõi", "Chuyển đảng chính thức trong tháng", "Giới tính", "Dân tộc",
        "Ngày sinh", "Họ và tên", "Nữ", "Tày", "Mường", "Phật giáo", "Học sinh", "Viên chức",
    ],
)
def test_legacy_text_is_detected_without_a_font(phrase, encoding):
    encoded = from_unicode(phrase, encoding)
    assert detect_encoding(encoded) == encoding
    assert convert_cell_text(encoded) == (phrase, encoding)
    assert looks_like_mojibake(encoded)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_form_labels_typed_in_legacy_encodings_are_never_loaded_as_mojibake(encoding):
    # Without a font name a label typed in a legacy encoding is converted, or rejected, or
    # is itself correct Vietnamese (TCVN3 "Cã" for "Có", VNI "Cô Ho" for "Cơ Ho"): the
    # ambiguity the font name, or judging the whole sheet, resolves.
    converted = rejected = 0
    for label in FORM_LABELS:
        encoded = from_unicode(label, encoding)
        if encoded == label:
            continue
        try:
            result = convert_cell_text(encoded)
        except LegacyEncodingError:
            rejected += 1
            continue
        if result == (label, encoding):
            converted += 1
        else:
            assert result == (encoded, "unicode"), label
            words = [w for w in re.split(r"[\s'/-]+", encoded) if w and not w.isascii()]
            plausible = encoded in {"Khôme"}  # VNI "Khơme": a plausible misspelling
            assert plausible or all(is_vietnamese_syllable(w) for w in words), (label, encoded)
        assert convert_cell_text(encoded, FONTS[encoding]) == (label, encoding)
    assert converted >= 100
    assert rejected <= 5
    assert detect_encoding_many(from_unicode(label, encoding) for label in FORM_LABELS) == (
        encoding
    )


def test_capitals_typed_in_an_uppercase_font_are_detected_without_the_font():
    encoded = "CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM"
    assert convert_cell_text(encoded) == ("CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", "tcvn3")


# --- rejection ---------------------------------------------------------------------------------


def test_mixed_unicode_and_tcvn3_is_rejected():
    mixed = "NguyÔn Văn Hùng"  # first word TCVN3, the rest Unicode
    with pytest.raises(LegacyEncodingError) as caught:
        to_unicode(mixed, "tcvn3")
    assert caught.value.reason == "mixed"
    assert caught.value.encoding == "tcvn3"
    assert "Văn" in caught.value.fragment
    assert "TCVN3" in str(caught.value) and "Unicode" in str(caught.value)
    assert looks_like_mojibake(mixed)
    with pytest.raises(LegacyEncodingError) as caught:
        convert_cell_text(mixed)
    assert "NguyÔn" in caught.value.fragment
    with pytest.raises(LegacyEncodingError):
        convert_cell_text(mixed, ".VnTime")


def test_mixed_unicode_and_vni_is_rejected():
    mixed = "Nguyeãn Thị Hà"
    assert looks_like_mojibake(mixed)
    with pytest.raises(LegacyEncodingError) as caught:
        to_unicode(mixed, "vni")
    assert caught.value.reason == "mixed"
    with pytest.raises(LegacyEncodingError):
        convert_cell_text(mixed)


def test_bytes_outside_the_encoding_are_rejected():
    with pytest.raises(LegacyEncodingError) as caught:
        to_unicode("Tµ Ðà", "tcvn3")  # à (0xE0) is no TCVN3 code
    assert caught.value.reason == "unmapped"
    assert "«à»" in str(caught.value)
    with pytest.raises(LegacyEncodingError) as caught:
        to_unicode("Franýois", "vni")  # ý is no VNI code
    assert caught.value.reason == "unmapped"


def test_a_vni_mark_with_no_vowel_is_rejected():
    with pytest.raises(LegacyEncodingError) as caught:
        to_unicode("Nguyeãn Vnø", "vni")
    assert caught.value.reason == "stray_mark"
    assert caught.value.fragment == "Vnø"
    assert "VNI" in caught.value.message_vi


def test_error_is_a_value_error_with_a_vietnamese_message():
    with pytest.raises(ValueError, match="không chuyển sang Unicode"):
        to_unicode("Nguyễn", "tcvn3")


def test_unknown_encoding_name():
    with pytest.raises(ValueError, match="unknown encoding"):
        to_unicode("x", "viscii")
    with pytest.raises(ValueError, match="unknown encoding"):
        from_unicode("x", "viscii")


def test_encoder_refuses_what_the_encoding_cannot_carry():
    with pytest.raises(LegacyEncodingError):
        from_unicode("François", "tcvn3")
    with pytest.raises(LegacyEncodingError):
        from_unicode("© 2024", "tcvn3")  # © is the TCVN3 code of â


# --- mojibake safety check ---------------------------------------------------------------


def _utf8_as_windows(text: str) -> str:
    return text.encode("utf-8").decode("cp1252", errors="strict")


@pytest.mark.parametrize(
    ("text", "converted"),
    [
        ("NguyÔn V¨n Hïng", "Nguyễn Văn Hùng"),
        ("Nguyeãn Vaên Huøng", "Nguyễn Văn Hùng"),
        ("§oµn viªn", "Đoàn viên"),
    ],
)
def test_legacy_text_looks_like_mojibake_until_converted(text, converted):
    assert looks_like_mojibake(text)
    assert convert_cell_text(text)[0] == converted
    assert not looks_like_mojibake(converted)


@pytest.mark.parametrize(
    "text",
    [
        "£®ª",  # Êđê: no syllable in any reading, but TCVN3 symbols inside a word
        "EÂñeâ",  # the same in VNI
        "Kh¬me",
        _utf8_as_windows("Nguyễn Thị Thu Hà"),  # UTF-8 read as Windows-1252
        "Trường " + _utf8_as_windows("Nguyễn"),  # ... next to correct Unicode
        "Đoàn viên".encode().decode("latin-1"),  # ... or as Latin-1
        "Nguy\ufffdn",
        "Nguy\x85n",
        "Nguy¿n",  # some other legacy code (VISCII-like)
    ],
)
def test_mojibake_is_recognised(text):
    assert looks_like_mojibake(text)
    with pytest.raises(LegacyEncodingError) as caught:
        convert_cell_text(text)
    assert caught.value.reason == "mojibake"
    assert caught.value.fragment
    assert "Unicode" in caught.value.message_vi


# --- syllables -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    [
        "nguyễn", "Người", "TRƯỜNG", "khuỷu", "quỳnh", "quốc", "giữa", "gì", "gìn", "thuở",
        "xoong", "hoà", "hòa", "thuỷ", "thủy", "khoẻ", "khỏe", "yêu", "ý", "kỳ", "nghiêng",
        "rượu", "thuyết", "huých", "Điểu", "à", "ở",
    ],
)
def test_vietnamese_syllables(word):
    assert is_vietnamese_syllable(word)


@pytest.mark.parametrize(
    "word",
    [
        "café", "NguyÔn", "nguyeãn", "huøng", "cafộ", "hàt", "ce", "ghu", "ngi", "ka", "ă",
        "ĐảNG", "maì", "Lycée", "ç", "", "a1", "hoaø",
    ],
)
def test_not_vietnamese_syllables(word):
    assert not is_vietnamese_syllable(word)

"""Reference data of the rules that is not part of the form."""

from __future__ import annotations

# The first three digits of a personal identification number: the province of birth
# registration (Circular 07/2016/TT-BCA; the 63 provinces before the 2025 merger — codes of
# people already registered do not change).
PROVINCE_CODES = frozenset(f"{n:03d}" for n in (
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19,
    20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36,
    37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54,
    56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75,
    77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93,
    94, 95, 96,
))

# 4th digit of the identification number by (gender, year of birth // 100).
GENDER_CENTURY_DIGIT = {("Nam", 19): "0", ("Nữ", 19): "1", ("Nam", 20): "2", ("Nữ", 20): "3",
                        ("Nam", 21): "4", ("Nữ", 21): "5"}

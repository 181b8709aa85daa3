from core import xlsx_backend  # noqa: F401  (openpyxl without lxml: core/xlsx_backend.py)

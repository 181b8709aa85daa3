"""The plain domain at the bottom of the house: units and registry, periods, rule book,
calendar, settings, the form's model, figures, findings, month status. Imports nothing from
the project (import-linter checks it, `make lint`)."""
from core import xlsx_backend  # noqa: F401  (openpyxl without lxml, before anyone imports it)

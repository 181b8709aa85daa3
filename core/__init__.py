"""The plain domain at the bottom of the house: units and registry, periods, rule book,
calendar, settings, the form's model, figures, findings, month status. Imports nothing from
the project (import-linter checks it, `make lint`)."""

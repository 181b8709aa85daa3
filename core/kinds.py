"""What a received file is, as the warehouse records it (``submissions.kind``)."""

from __future__ import annotations

CELL_REPORT = "cell_report"          # a cell's monthly workbook, form BC-PTĐ-HS/1
COURSE_REGISTER = "course_register"  # the Political Center's course register, BC-BDNTVĐ/1
DISTRICT_DATA = "district_data"      # a district's (commune's) upward data file, EXPORT.md
UNKNOWN = "unknown"                  # a file that could not be read as any of them

# the channels a file arrives through (submissions.channel)
FOLDER = "folder"  # the folder inbox: a sub-folder per sender
IMAP = "imap"      # the mailbox: the sender's address
WEB = "web"        # the web page: the signed-in account's unit

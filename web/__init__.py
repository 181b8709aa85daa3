"""The cells' web page: sign in, download the month's form, upload a workbook and read the
verdict within seconds (server-rendered, Vietnamese, no JavaScript)."""

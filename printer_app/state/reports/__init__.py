"""States of the monthly report pages: month list, upload, month table, charts."""

"""The permissions the monthly report pages check on every load and handler (docs/access.md §11.6)."""

from __future__ import annotations

ACCESS = "monthly_report.access_monthly_report"
UPLOAD = "monthly_report.upload_monthly_report"
EDIT_START = "monthly_report.edit_counters_start"
EDIT_END = "monthly_report.edit_counters_end"
SYNC = "monthly_report.sync_from_inventory"
HISTORY = "monthly_report.view_change_history"
METRICS = "monthly_report.view_monthly_report_metrics"
VISIBILITY = "monthly_report.can_manage_month_visibility"
RESET_AUTO = "monthly_report.can_reset_auto_polling"
POLL_ALL = "monthly_report.can_poll_all_printers"
DELETE_MONTH = "monthly_report.can_delete_month"
OVERRIDE_LOCK = "monthly_report.override_auto_lock"

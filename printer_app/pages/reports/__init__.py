"""Monthly report pages: /reports, /reports/<YYYY-MM>, /reports/charts."""

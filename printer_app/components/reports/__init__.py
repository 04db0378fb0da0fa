"""Components of the monthly report pages."""

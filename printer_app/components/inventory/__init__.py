"""Components of the inventory pages: the printer dialog and the printer flags."""

"""Components of the web rule builder: rule table, editor, preview, runs, templates."""

"""States of the web rule builder page: rules, the rule editor, preview, test runs, templates."""

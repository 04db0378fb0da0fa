"""Reading a printer's built-in web pages: fetching (guarded), the headless browser, rules, formulas, templates,
the rule store and the XML export of a web poll."""

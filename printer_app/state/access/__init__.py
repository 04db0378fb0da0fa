"""States of the access pages: users, the user form, the whitelist, the change log."""

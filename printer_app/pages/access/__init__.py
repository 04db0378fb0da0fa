"""Access pages: users and whitelist, the change log."""

"""Live updates: the event hub of this process, each tab's listener, Poll now / Poll all and their progress."""

"""The domain, a package per bounded context; the shared kernel (errors, events, paging, days, validators,
concurrency, audit) sits at this level. Nothing here imports Reflex or Dramatiq."""

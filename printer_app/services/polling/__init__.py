"""The poll pipeline and what feeds or follows it: reading sources, batches, history, identity and replacement,
discovery, GLPI XML import, retention."""

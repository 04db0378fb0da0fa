"""Background work: the Dramatiq broker, the actors that poll printers, and the scheduler that only sends."""

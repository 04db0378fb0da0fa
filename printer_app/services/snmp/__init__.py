"""Reading a printer over SNMP: transport (pysnmp), the poller, decoding and assembling the answer, vendor counters."""

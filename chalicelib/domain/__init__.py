"""Pure domain: the verification state machine, registry rules and audit chain. No I/O here."""

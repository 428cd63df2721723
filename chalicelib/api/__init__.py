"""HTTP entry points: Chalice blueprints that parse, call one service, and serialise."""

"""Safe Connection: on-the-spot verification of plain-clothes police officers."""

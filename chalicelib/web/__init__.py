"""Server-rendered pages (no JavaScript needed): what the public sees on a cheap phone."""

"""The embedded stack behind `make run`: moto server, seed data, workers and the Chime stand-in."""

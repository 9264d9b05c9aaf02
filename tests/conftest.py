from tests.hostile import hostile  # noqa: F401  (the fixture, for every test under tests/)

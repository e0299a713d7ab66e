from . import test_simulator

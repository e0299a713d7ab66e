from . import test_sale_gate

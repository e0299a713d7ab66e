from . import test_sale_gate
from . import test_negativation_reads_orders

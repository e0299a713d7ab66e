from . import test_simulator
from . import test_soa_webservices
from . import test_soa_negativation
from . import test_product_cost
from . import test_field_limits
from . import test_result_vocabulary

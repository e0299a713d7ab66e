from . import test_simulator
from . import test_connect_sa
from . import test_negativation_flow
from . import test_product_cost
from . import test_field_limits
from . import test_localization
from . import test_result_vocabulary

from . import test_simulator
from . import test_credito_na_medida
from . import test_cnm_negativation
from . import test_product_cost
from . import test_field_limits
from . import test_result_vocabulary

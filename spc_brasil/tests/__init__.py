from . import test_spc_brasil
from . import test_spc_negativation
from . import test_spc_ui
from . import test_result_vocabulary

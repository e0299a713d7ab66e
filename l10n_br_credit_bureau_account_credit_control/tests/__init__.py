from . import test_credit_control_negativation
from . import test_ui

from . import credit_bureau_negativation
from . import credit_control_policy_level
from . import credit_control_line
from . import credit_control_run

from . import credit_bureau_integration
from . import credit_bureau_negativation
from . import credit_bureau_routine

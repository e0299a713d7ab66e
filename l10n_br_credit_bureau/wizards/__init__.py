from . import credit_bureau_consult_wizard
from . import credit_bureau_negativate_wizard
from . import credit_bureau_decision_wizard

from . import credit_bureau_consult_wizard

from . import credit_bureau_integration

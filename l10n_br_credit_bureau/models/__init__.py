from . import credit_bureau_integration
from . import credit_bureau_integration_dummy
from . import credit_bureau_catalog
from . import credit_bureau_consultation
from . import res_company
from . import res_partner
from . import crm_lead
from . import res_config_settings

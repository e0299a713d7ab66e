from . import test_document
from . import test_request_seam
from . import test_integration
from . import test_consultation
from . import test_security
from . import test_ui
from . import test_i18n
from . import test_negativation

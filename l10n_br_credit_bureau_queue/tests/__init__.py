from . import test_i18n
from . import test_job_runner
from . import test_queue

from . import credit_control_negativator
from . import credit_control_printer

from . import models
from . import wizards

from .const import PROVIDER_CODE


def uninstall_hook(env):
    """Archive the Connect SA integrations (provider reset to none), as payment addons do."""
    env["credit.bureau.integration"]._remove_provider(PROVIDER_CODE)

from . import models


def uninstall_hook(env):
    """Archive the SPC Brasil integrations and reset their provider."""
    env["credit.bureau.integration"]._remove_provider("spc_brasil")

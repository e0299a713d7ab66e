from . import models


def uninstall_hook(env):
    """Archive the Crédito na Medida integrations and reset their provider."""
    env["credit.bureau.integration"]._remove_provider("credito_na_medida")

from . import models


def uninstall_hook(env):
    """Archive the SOA WebServices integrations and reset their provider."""
    env["credit.bureau.integration"]._remove_provider("soa_webservices")

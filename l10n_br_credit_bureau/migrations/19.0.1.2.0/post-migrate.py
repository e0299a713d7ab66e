"""19.0.1.2.0: a probability of default is shown only when the provider gave one.

Consultations gain "has_default_probability" (until now a probability not given was stored
as 0 and shown as 0,00): the consultations made before it count as having one when it is
not zero, the only probabilities that can have come from a provider (Crédito na Medida
gives none).
"""

from odoo import SUPERUSER_ID, api


def mark_given_probabilities(env):
    """Consultations with a probability count as having one (the new field starts unset)."""
    consultations = env["credit.bureau.consultation"].search(
        [("default_probability", "!=", 0), ("has_default_probability", "=", False)]
    )
    # The result is written by the provider path only, as superuser (see the model).
    consultations.write({"has_default_probability": True})
    return consultations


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    mark_given_probabilities(env)

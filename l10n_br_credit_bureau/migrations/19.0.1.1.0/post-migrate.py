"""19.0.1.1.0: negativating no longer implies consulting.

Up to 19.0.1.0.0 the group "Negativation: manage" implied "Credit analysis: consult". The
new XML no longer declares it, but an update (``-u``) only adds what ``implied_ids`` lists
(the ``(4, ...)`` commands): the old implication stays in the database until it is removed
here. Odoo 19 computes a user's groups from their explicit groups and the implications, so
removing it alone would take consulting away from every user who had it through
negativating: those users are given the consult group explicitly first, then the
implication is removed. Users who get negativation from now on do not consult unless they
are given the consult group as well.

Products gain "Price known" (a price the provider published or an administrator typed):
the products synchronised before it existed count as known when they have a price.
"""

from odoo import SUPERUSER_ID, api


def separate_consult_from_negativation(env):
    """Keep consulting for the users who had it through the negativation group, then
    remove the implication. Does nothing once the implication is gone (idempotent)."""
    consult = env.ref("l10n_br_credit_bureau.group_consult", raise_if_not_found=False)
    negativation = env.ref("l10n_br_credit_bureau.group_negativation", raise_if_not_found=False)
    if not consult or not negativation or consult not in negativation.implied_ids:
        return env["res.users"]
    # Every user with negativation (given directly or through another group), active or not,
    # hence consulting through it ...
    users = negativation.with_context(active_test=False).all_user_ids
    negativation.write({"implied_ids": [(3, consult.id)]})
    env.invalidate_all()
    # ... and those who consult no more without it (not the administrators, whose group
    # implies consulting on its own).
    keep = users.filtered(lambda user: consult not in user.all_group_ids)
    if keep:
        consult.write({"user_ids": [(4, user.id) for user in keep]})
    return keep


def mark_known_prices(env):
    """Products with a price count as priced (the new field starts unset)."""
    products = (
        env["credit.bureau.product"]
        .with_context(active_test=False)
        .search([("price", "!=", 0), ("price_known", "=", False)])
    )
    products.write({"price_known": True})
    return products


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    separate_consult_from_negativation(env)
    mark_known_prices(env)

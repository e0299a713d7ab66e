from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.l10n_br_credit_bureau.const import NEGATIVATION_GROUP

from ..const import NEGATIVATE, NEGATIVATE_CHANNEL, NEGATIVATE_ONDELETE


class CreditControlPolicyLevel(models.Model):
    _inherit = "credit.control.policy.level"

    channel = fields.Selection(selection_add=NEGATIVATE_CHANNEL, ondelete=NEGATIVATE_ONDELETE)
    credit_bureau_auto_send = fields.Boolean(
        string="Negativate automatically",
        help="The lines of this level are negativated as soon as a run computes them, "
        "without waiting for a user to send them (those of partners in manual follow-up "
        "wait for a user). Off: a user sends them with the action Negativate of the lines, "
        'or "Run channel action" of the run.',
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._bureau_check_negativate_rights(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._bureau_check_negativate_rights([vals])
        return super().write(vals)

    @api.model
    def _bureau_check_negativate_rights(self, vals_list):
        """A level that negativates (the channel Negativate, or its automatic sending) is
        configured by a user allowed to negativate: through it, the runs of any credit
        control user send invoices to the bureau. Checked here, so that an import or an RPC
        call meets the same rule as the form."""
        if self.env.su or self.env.user.has_group(NEGATIVATION_GROUP):
            return
        if any(
            vals.get("channel") == NEGATIVATE or vals.get("credit_bureau_auto_send")
            for vals in vals_list
        ):
            raise UserError(
                self.env._(
                    'Only a user of the group "%(group)s" can make a credit control level '
                    "negativate (channel Negativate, or its automatic sending). Nothing was "
                    "changed.",
                    group=self.env.ref(NEGATIVATION_GROUP).sudo().name,
                )
            )

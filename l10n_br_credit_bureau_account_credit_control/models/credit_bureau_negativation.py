from odoo import fields, models

from ..const import CREDIT_CONTROL_INFO_GROUP


class CreditBureauNegativation(models.Model):
    _inherit = "credit.bureau.negativation"

    origin = fields.Selection(
        selection_add=[("credit_control", "Credit control")],
        ondelete={"credit_control": "set default"},
    )
    # Computed, not a One2many: a negativation's stored fields stay those of the core (which
    # its users, who may have no credit-control rights, read in full).
    credit_control_line_ids = fields.Many2many(
        "credit.control.line",
        string="Credit control lines",
        compute="_compute_credit_control_line_ids",
        groups=CREDIT_CONTROL_INFO_GROUP,
        help="The credit-control lines (level Negativate) that queued this negativation or "
        "follow it.",
    )

    def _compute_credit_control_line_ids(self):
        # The lines' link to their negativation is read with sudo (it is for the negativation
        # group; a reader of this field reads the negativation already).
        lines = (
            self.env["credit.control.line"]
            .sudo()
            .search([("credit_negativation_id", "in", self.ids)])
        )
        line_ids = {}
        for line in lines:
            line_ids.setdefault(line.credit_negativation_id.id, []).append(line.id)
        Line = self.env["credit.control.line"]
        for negativation in self:
            negativation.credit_control_line_ids = Line.browse(line_ids.get(negativation.id, []))

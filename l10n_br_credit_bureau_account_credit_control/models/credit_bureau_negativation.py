from odoo import fields, models

from ..const import CREDIT_CONTROL_INFO_GROUP


class CreditBureauNegativation(models.Model):
    _inherit = "credit.bureau.negativation"

    origin = fields.Selection(
        selection_add=[("credit_control", "Credit control")],
        ondelete={"credit_control": "set default"},
    )
    credit_control_line_ids = fields.One2many(
        "credit.control.line",
        "credit_negativation_id",
        string="Credit control lines",
        groups=CREDIT_CONTROL_INFO_GROUP,
        help="The credit-control lines (level Negativate) that queued this negativation or "
        "follow it.",
    )

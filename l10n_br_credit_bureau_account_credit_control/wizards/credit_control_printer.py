from odoo import api, models
from odoo.exceptions import UserError

from ..const import NEGATIVATE


class CreditControlPrinter(models.TransientModel):
    _inherit = "credit.control.printer"

    @api.model
    def _credit_line_predicate(self, line):
        """Printing marks the lines done: a line of the channel Negativate is done only when
        its invoice is negativated, so it is not printed (send it with Negativate)."""
        return line.channel != NEGATIVATE and super()._credit_line_predicate(line)

    def print_lines(self):
        self.ensure_one()
        if self.line_ids and all(line.channel == NEGATIVATE for line in self.line_ids):
            raise UserError(
                self.env._(
                    "The selected lines are of the channel Negativate: they are not printed, "
                    "send them with the action Negativate."
                )
            )
        return super().print_lines()

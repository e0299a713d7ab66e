from markupsafe import Markup

from odoo import models

from ..const import NEGATIVATE


class CreditControlRun(models.Model):
    _inherit = "credit.control.run"

    def _generate_credit_lines(self):
        """The lines of levels that negativate automatically are sent as soon as the run
        computes them (those of partners in manual follow-up wait for a user), and the run's
        report says how many invoices were queued and blocked."""
        generated = super()._generate_credit_lines()
        automatic = generated.filtered(
            lambda line: line.channel == NEGATIVATE
            and line.policy_level_id.credit_bureau_auto_send
            and not line.manual_followup
        )
        if automatic:
            # Allowed by whoever configured the level (checked there), run as the flows run:
            # with superuser rights, the user who computed the run staying the author.
            flow_env = self.env["credit.bureau.negativation"]._bureau_flow_env().env
            done, blocked = automatic.with_env(flow_env)._bureau_negativate()
            summary = self.env._(
                "Negativate: %(done)s line(s) negativated, %(blocked)s blocked (see the lines "
                "in Error: each says why).",
                done=len(done),
                blocked=len(blocked),
            )
            self.sudo().report = (self.report or Markup()) + Markup("<p>%s</p>") % summary
        return generated

    def run_channel_action(self):
        """The lines to do of the channel Negativate are negativated first (checked, then
        queued; nothing is sent when the user may not negativate), then OCA's channels."""
        self.ensure_one()
        lines = self.line_ids.filtered(
            lambda line: line.state == "to_be_sent" and line.channel == NEGATIVATE
        )
        if lines:
            lines._bureau_negativate()
        return super().run_channel_action()

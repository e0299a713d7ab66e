from odoo import fields, models


class CreditBureauRoutineRun(models.Model):
    _inherit = "credit.bureau.routine.run"

    # A line written by a job of the queue (the status poll, a group of removals) after
    # the routine handed the work over.
    trigger = fields.Selection(
        selection_add=[("job", "Queue job")],
        ondelete={"job": lambda runs: runs.sudo().write({"trigger": "event"})},
    )

from odoo import api, fields, models


class CreditBureauNegativationBatch(models.Model):
    """A mass negativation: sent in the background; its counts show the progress."""

    _name = "credit.bureau.negativation.batch"
    _description = "Mass negativation"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(readonly=True, required=True, default="/")
    user_id = fields.Many2one("res.users", default=lambda self: self.env.user, readonly=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, readonly=True
    )
    date = fields.Datetime(default=fields.Datetime.now, readonly=True)
    state = fields.Selection(
        [("running", "Sending"), ("done", "Done")], default="running", readonly=True, tracking=True
    )
    negativation_ids = fields.One2many("credit.bureau.negativation", "batch_id", readonly=True)
    refused_count = fields.Integer(string="Refused before sending", readonly=True)
    refused_summary = fields.Text(readonly=True)
    total_count = fields.Integer(compute="_compute_counts")
    sending_count = fields.Integer(compute="_compute_counts", string="Sending")
    sent_count = fields.Integer(compute="_compute_counts", string="Sent")
    error_count = fields.Integer(compute="_compute_counts", string="Errors")
    currency_id = fields.Many2one(related="company_id.currency_id")
    amount_total = fields.Monetary(compute="_compute_counts", string="Total amount")

    @api.depends("negativation_ids.state")
    def _compute_counts(self):
        data = {
            (batch.id, state): (count, amount)
            for batch, state, count, amount in self.env["credit.bureau.negativation"]._read_group(
                [("batch_id", "in", self.ids)], ["batch_id", "state"], ["__count", "amount:sum"]
            )
        }
        for batch in self:
            by_state = {
                state: value for (batch_id, state), value in data.items() if batch_id == batch.id
            }
            batch.total_count = sum(count for count, _amount in by_state.values())
            batch.amount_total = sum(amount for _count, amount in by_state.values())
            batch.sending_count = by_state.get("sending", (0, 0))[0]
            batch.error_count = by_state.get("error", (0, 0))[0]
            batch.sent_count = sum(
                by_state.get(state, (0, 0))[0]
                for state in ("pending", "active", "removal_requested", "removed")
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("credit.bureau.negativation.batch") or "/"
                )
        return super().create(vals_list)

    def _bureau_notify_progress(self):
        """Push these batches' counts to the forms open on them (the batch's bus channel,
        see ``ir.websocket``): sent when the sending job commits, so a form follows the
        progress without being reloaded."""
        self.invalidate_recordset(
            ["total_count", "sending_count", "sent_count", "error_count", "amount_total"]
        )
        for batch in self:
            self.env["bus.bus"]._sendone(
                batch,
                "credit_bureau/batch_progress",
                {
                    "id": batch.id,
                    "state": batch.state,
                    "total": batch.total_count,
                    "sending": batch.sending_count,
                    "sent": batch.sent_count,
                    "errors": batch.error_count,
                    "refused": batch.refused_count,
                },
            )

    @api.model
    def _bureau_close_finished(self):
        """Close the batches with nothing left to send, with a summary for their author.
        Part of the sending job: users only read batches, the job writes them. An email to
        the author goes through the mail queue (its scheduled action is triggered now):
        the sending job never waits for a mail server. Returns the batches closed."""
        closed = self.browse()
        for batch in (
            self.sudo()
            .with_context(mail_notify_force_send=False)
            .search([("state", "=", "running")])
        ):
            if batch.sending_count:
                continue
            batch.state = "done"
            summary = self.env._(
                "Mass negativation finished: %(sent)s sent, %(errors)s with errors, %(refused)s "
                "refused before sending.",
                sent=batch.sent_count,
                errors=batch.error_count,
                refused=batch.refused_count,
            )
            batch.message_post(body=summary, partner_ids=batch.user_id.partner_id.ids)
            batch._bureau_notify_progress()
            closed |= batch
        mail_queue = closed and self.env.ref(
            "mail.ir_cron_mail_scheduler_action", raise_if_not_found=False
        )
        if mail_queue:
            mail_queue.sudo()._trigger()
        return closed

    def action_view_negativations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "l10n_br_credit_bureau.action_credit_negativation"
        )
        action["domain"] = [("batch_id", "=", self.id)]
        action["context"] = {"search_default_group_state": 1}
        return action

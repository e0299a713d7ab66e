from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.l10n_br_credit_bureau.const import NEGATIVATION_GROUP

from ..const import NEGATIVATE, NEGATIVATE_CHANNEL, NEGATIVATE_ONDELETE, SENDABLE_STATES

# Written by the negativation flow only (superuser): a user changes them by sending the line.
BRIDGE_FIELDS = frozenset({"credit_negativation_id", "credit_bureau_blockers"})


class CreditControlLine(models.Model):
    _inherit = "credit.control.line"

    channel = fields.Selection(selection_add=NEGATIVATE_CHANNEL, ondelete=NEGATIVATE_ONDELETE)
    # Restricted like the invoice's negativation fields: a credit-control user without the
    # negativation group reads the status below, not the negativation itself.
    credit_negativation_id = fields.Many2one(
        "credit.bureau.negativation",
        string="Negativation",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups=NEGATIVATION_GROUP,
    )
    # The negativation's states, with their labels in the user's language (a selection given
    # by a function is shown as the function returns it).
    credit_negativation_state = fields.Selection(
        lambda self: self.env["credit.bureau.negativation"]
        ._fields["state"]
        ._description_selection(self.env),
        string="Negativation status",
        compute="_compute_credit_negativation_state",
        search="_search_credit_negativation_state",
        compute_sudo=True,
    )
    credit_bureau_blockers = fields.Text(
        string="Why not negativated",
        readonly=True,
        copy=False,
        help="What kept the invoice of this line from being negativated when the line was "
        "sent; fix it and send the line again.",
    )

    @api.depends("credit_negativation_id.state")
    def _compute_credit_negativation_state(self):
        for line in self:
            line.credit_negativation_state = line.credit_negativation_id.state

    def _search_credit_negativation_state(self, operator, value):
        # The subquery runs with sudo: a credit-control user filters on the status without
        # reading the negativations.
        lines = self.sudo()._search([("credit_negativation_id.state", operator, value)])
        return [("id", "in", lines)]

    # ------------------------------------------------------------------ guards
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._bureau_check_bridge_fields(set().union(*vals_list) if vals_list else set())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._bureau_check_bridge_fields(set(vals))
        return super().write(vals)

    def _bureau_check_bridge_fields(self, names):
        forbidden = BRIDGE_FIELDS & names
        if forbidden:
            labels = sorted(self._fields[name]._description_string(self.env) for name in forbidden)
            raise UserError(
                self.env._(
                    "The negativation of a credit control line is written only by sending the "
                    "line (action Negativate): %(fields)s. Nothing was changed.",
                    fields=", ".join(labels),
                )
            )

    @api.model
    def _bureau_check_negativate_rights(self):
        """Sending lines of the channel Negativate queues negativations: the user must be
        allowed to negativate (the automatic sending of a level runs as the flows do, its
        configuration having been checked on the level)."""
        if self.env.su or self.env.user.has_group(NEGATIVATION_GROUP):
            return
        raise UserError(
            self.env._(
                'Only a user of the group "%(group)s" can send the credit control lines of '
                "the channel Negativate. Nothing was sent.",
                group=self.env.ref(NEGATIVATION_GROUP).sudo().name,
            )
        )

    # ------------------------------------------------------------------ negativation
    def _bureau_sendable(self):
        """The lines to negativate among these: channel Negativate, not done nor ignored."""
        return self.filtered(
            lambda line: line.channel == NEGATIVATE and line.state in SENDABLE_STATES
        )

    @api.model
    def _bureau_natureza_blockers(self, moves):
        """``{move: [blocker]}`` for the invoices whose integration has no default
        restriction code (natureza): a credit-control line sends the integration's default,
        as the negativation wizard proposes it."""
        Integration = self.env["credit.bureau.integration"].sudo()
        integrations, result = {}, {}
        for move in moves:
            company = move.company_id
            if company not in integrations:
                integrations[company] = Integration._bureau_for_company(company)
            integration = integrations[company]
            if integration and not integration.default_restriction_code_id:
                result[move] = [
                    self.env._(
                        "The integration %(name)s has no default restriction code (natureza): "
                        "choose it in the integration's settings (synchronise its catalog "
                        "first).",
                        name=integration.name,
                    )
                ]
        return result

    def _bureau_preview(self):
        """What sending these lines would do, without doing it: ``(sendable lines, {invoice:
        its open negativation}, {invoice: blockers}, invoices ready)``. The same checks as
        ``_bureau_negativate``, for the wizard's preview."""
        Negativation = self.env["credit.bureau.negativation"]
        lines = self._bureau_sendable()
        moves = lines.invoice_id
        open_negativations = Negativation._bureau_open_negativations(moves)
        already = {
            move: open_negativations[move.id] for move in moves if move.id in open_negativations
        }
        others = moves.filtered(lambda move: move not in already)
        blocked = self._bureau_natureza_blockers(others)
        checked = others.filtered(lambda move: move not in blocked)
        for move, _integration, blockers in Negativation._bureau_check(checked):
            if blockers:
                blocked[move] = blockers
        ready = checked.filtered(lambda move: move not in blocked)
        return lines, already, blocked, ready

    def _bureau_negativate(self):
        """Queue the invoices of these lines (channel Negativate, draft, to do or blocked
        last time) through the core's entry point, ``_bureau_queue``, as the mass wizard and
        the automatic routine do: the same blockers, the integration of each invoice's
        branch (or its head office), the integration's default natureza, and the removal
        after payment as for any negativation.

        Each line is then linked to its invoice's negativation and marked done; a line whose
        invoice already has an open negativation follows that one; a blocked line is marked
        "Error" and says why, in its field and its history. Lines of other channels, or
        already done, queued or ignored, are left as they are. An invoice with several lines
        (installments, several runs) gets one negativation. Returns ``(done lines, blocked
        lines)``."""
        self._bureau_check_negativate_rights()
        lines = self._bureau_sendable()
        if not lines:
            return self.browse(), self.browse()
        lines.check_access("write")
        Negativation = self.env["credit.bureau.negativation"]
        moves = lines.invoice_id
        open_negativations = Negativation._bureau_open_negativations(moves)
        already = moves.filtered(lambda move: move.id in open_negativations)
        blocked = self._bureau_natureza_blockers(moves - already)
        to_queue = moves - already - self.env["account.move"].concat(*blocked)
        # In the caller's rights (an invoice it cannot read is an access error); created with
        # sudo by the core, the caller staying the author.
        negativations, refused = Negativation._bureau_queue(to_queue, origin="credit_control")
        blocked.update(refused)
        negativation_of = {negativation.move_id: negativation for negativation in negativations}
        for move in already:
            negativation_of[move] = open_negativations[move.id]

        flow = lines.sudo()
        by_move = flow.grouped("invoice_id")
        done = flow.browse()
        for move, negativation in negativation_of.items():
            move_lines = by_move.get(move, flow.browse())
            move_lines.write({"credit_negativation_id": negativation.id})
            done |= move_lines
        done.write(
            {
                "state": "sent",
                "date_sent": fields.Date.context_today(self),
                "credit_bureau_blockers": False,
            }
        )
        failed = flow.browse()
        for move, blockers in blocked.items():
            move_lines = by_move.get(move, flow.browse())
            move_lines.write({"state": "error", "credit_bureau_blockers": "\n".join(blockers)})
            failed |= move_lines
        # Lines without an invoice cannot be negativated either (the core refuses them too).
        orphans = flow - done - failed
        if orphans:
            orphans.write(
                {
                    "state": "error",
                    "credit_bureau_blockers": self.env._(
                        "Only posted customer invoices can be negativated."
                    ),
                }
            )
            failed |= orphans
        self._bureau_log(done, failed, negativation_of, already)
        return done.with_env(self.env), failed.with_env(self.env)

    @api.model
    def _bureau_log(self, done, failed, negativation_of, already):
        """The history of what sending did: on each line (queued, followed or why not) and
        on each new negativation (the level and the policy that queued it). Records
        compare by id, whatever their environment (``negativation_of`` is keyed by invoice)."""
        line_bodies, negativation_bodies = {}, {}
        for line in done:
            negativation = negativation_of[line.invoice_id].sudo()
            if line.invoice_id in already:
                text = self.env._(
                    "The invoice already has the negativation %(name)s: this line follows it.",
                    name=negativation.name,
                )
            else:
                text = self.env._(
                    "Negativation %(name)s queued with the integration %(integration)s.",
                    name=negativation.name,
                    integration=negativation.integration_id.name,
                )
                negativation_bodies[negativation.id] = escape(
                    self.env._(
                        "Queued by the credit control level %(level)s (policy %(policy)s).",
                        level=line.policy_level_id.name,
                        policy=line.policy_id.name,
                    )
                )
            line_bodies[line.id] = escape(text)
        for line in failed:
            line_bodies[line.id] = Markup("%s<br/>%s") % (
                self.env._("Not negativated:"),
                Markup("<br/>").join(escape(b) for b in line.credit_bureau_blockers.split("\n")),
            )
        if line_bodies:
            self.sudo().browse(list(line_bodies))._message_log_batch(bodies=line_bodies)
        if negativation_bodies:
            negativations = self.env["credit.bureau.negativation"].sudo()
            negativations.browse(list(negativation_bodies))._message_log_batch(
                bodies=negativation_bodies
            )

    def action_credit_negativate(self):
        """The line's button: the sending wizard on this line."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Negativate"),
            "res_model": "credit.control.negativator",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.l10n_br_credit_bureau.tools import CreditBureauError

from ..const import PROVIDER_CODE


class ConnectSAPasswordWizard(models.TransientModel):
    """Alterar senha: replace the stored Connect SA passwords (both pairs, the PEFIN one
    optional) once a test call with the new ones worked; the chatter records who and when,
    never the values."""

    _name = "connect.sa.password.wizard"
    _description = "Connect SA: change password"

    integration_id = fields.Many2one(
        "credit.bureau.integration",
        required=True,
        ondelete="cascade",
        domain=[("provider", "=", PROVIDER_CODE)],
    )
    login = fields.Char(compute="_compute_logins", store=True, readonly=False, precompute=True)
    password = fields.Char(string="New consultation password")
    pefin_login = fields.Char(
        string="PEFIN login",
        compute="_compute_logins",
        store=True,
        readonly=False,
        precompute=True,
        help="Leave empty when the PEFIN API uses the same login.",
    )
    pefin_password = fields.Char(
        string="New PEFIN password",
        help="Leave empty to keep the current PEFIN password.",
    )

    @api.depends("integration_id")
    def _compute_logins(self):
        for wizard in self:
            integration = wizard.integration_id.sudo()
            wizard.login = integration.connect_sa_login
            wizard.pefin_login = integration.connect_sa_pefin_login

    def action_apply(self):
        self.ensure_one()
        integration = self.integration_id
        if integration.provider != PROVIDER_CODE:
            raise UserError(self.env._("This integration is not a Connect SA one."))
        if not (self.login or "").strip() or not self.password:
            raise UserError(self.env._("Fill in the login and the new consultation password."))
        values = {
            "connect_sa_login": (self.login or "").strip(),
            "connect_sa_password": self.password,
        }
        pefin_login = (self.pefin_login or "").strip()
        pefin_changed = bool(self.pefin_password) or pefin_login != (
            integration.connect_sa_pefin_login or ""
        )
        apis = ["consulta"]
        if pefin_changed:
            apis.append("pefin")
            values["connect_sa_pefin_login"] = pefin_login
            if self.pefin_password:
                values["connect_sa_pefin_password"] = self.pefin_password
        elif values["connect_sa_login"] != integration.connect_sa_login and not pefin_login:
            apis.append("pefin")  # the PEFIN login follows the login that changed
        try:
            # The new values are written and tried in a savepoint: a refusal rolls them back.
            with self.env.cr.savepoint():
                # As superuser: the one writer of a stored password (see write()).
                integration.sudo().write(values)
                integration._connect_sa_check_credentials(apis)
        except CreditBureauError as error:
            raise UserError(
                self.env._(
                    "The passwords were not changed: the test call with the new ones failed. "
                    "%(error)s",
                    error=error.args[0],
                )
            ) from None
        now = fields.Datetime.now()
        # The connection fields are written only by the flows: this one has checked it.
        integration.sudo().write(
            {
                "connection_state": "ok",
                "connection_message": self.env._("Connection working."),
                "connection_date": now,
            }
        )
        when = fields.Datetime.context_timestamp(self, now).strftime("%d/%m/%Y %H:%M")
        if pefin_changed:
            body = self.env._(
                "Connect SA credentials (consultation and PEFIN) changed by %(user)s on "
                "%(date)s, after a successful test call.",
                user=self.env.user.name,
                date=when,
            )
        else:
            body = self.env._(
                "Connect SA consultation credentials changed by %(user)s on %(date)s, after "
                "a successful test call.",
                user=self.env.user.name,
                date=when,
            )
        integration.message_post(body=body)
        # The transient record forgets the values at once.
        self.write({"password": False, "pefin_password": False})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": self.env._("Passwords changed and checked."),
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

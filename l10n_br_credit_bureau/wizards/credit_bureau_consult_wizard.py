from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..const import DEFAULT_REPEAT_INTERVAL, PARAM_REPEAT_INTERVAL
from ..tools import check_text, clean_document, format_document, validate_document


class CreditBureauConsultWizard(models.TransientModel):
    _name = "credit.bureau.consult.wizard"
    _description = "Credit Consultation Wizard"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", string="Branch", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner")
    lead_id = fields.Many2one("crm.lead", string="Lead/Opportunity")
    document = fields.Char(string="CPF/CNPJ", required=True)
    integration_id = fields.Many2one(
        "credit.bureau.integration",
        compute="_compute_integration_id",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        check_company=True,
        domain="[('provider', '!=', 'none')]",
    )
    document_kind = fields.Selection(
        [("cpf", "CPF"), ("cnpj", "CNPJ")],
        string="Document kind",
        compute="_compute_document_kind",
        help="The kind of the document typed, once it is a valid CPF or CNPJ.",
    )
    allowed_product_ids = fields.Many2many(
        "credit.bureau.product",
        string="Suitable products",
        compute="_compute_allowed_product_ids",
    )
    product_id = fields.Many2one(
        "credit.bureau.product",
        compute="_compute_product_id",
        store=True,
        precompute=True,
        readonly=False,
        domain="[('id', 'in', allowed_product_ids)]",
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    price = fields.Monetary(related="product_id.price", string="Price in production")
    cost = fields.Monetary(
        string="Cost recorded",
        compute="_compute_cost",
        help="What this consultation will record as its cost: the product's price where the "
        "environment is charged, nothing in a free homologation environment.",
    )
    is_paid_environment = fields.Boolean(related="integration_id.is_paid_environment")
    cost_notice = fields.Text(string="Cost notice", compute="_compute_cost")
    cost_notice_level = fields.Selection(
        [("info", "Information"), ("warning", "Warning")],
        string="Cost notice level",
        compute="_compute_cost",
    )
    reason = fields.Text(
        string="Purpose",
        help="Why this consultation is needed (LGPD: credit protection). Stored with it.",
    )
    previous_consultation_id = fields.Many2one(
        "credit.bureau.consultation",
        compute="_compute_previous_consultation_id",
        help="The earlier consultation of the same document, when the user may read it.",
    )
    has_previous = fields.Boolean(
        string="Consulted recently", compute="_compute_previous_consultation_id"
    )
    previous_summary = fields.Char(compute="_compute_previous_consultation_id")
    repeat_interval = fields.Integer(compute="_compute_previous_consultation_id")
    confirm_repeat = fields.Boolean(string="I want to pay for a new consultation")
    repeat_reason = fields.Text(string="Reason for consulting again")

    @api.depends("company_id")
    def _compute_integration_id(self):
        for wizard in self:
            if not wizard.integration_id or wizard.integration_id.company_id not in (
                wizard.company_id.parent_ids
            ):
                wizard.integration_id = self.env["credit.bureau.integration"]._bureau_for_company(
                    wizard.company_id
                )

    @api.depends("document")
    def _compute_document_kind(self):
        for wizard in self:
            wizard.document_kind = wizard._document_kind()

    @api.onchange("document")
    def _onchange_document_punctuate(self):
        """A valid CPF/CNPJ shown punctuated, however it was typed or stored on the contact
        or the lead."""
        if self._document_kind():
            punctuated = format_document(clean_document(self.document))
            if punctuated != self.document:
                self.document = punctuated

    def _document_kind(self):
        """cpf/cnpj for a valid document, else False (nothing to refuse yet)."""
        self.ensure_one()
        if not self.document:
            return False
        try:
            return validate_document(self.env, self.document)[1]
        except UserError:
            return False

    @api.depends("integration_id", "document")
    def _compute_allowed_product_ids(self):
        for wizard in self:
            wizard.allowed_product_ids = wizard._suitable_products()

    def _suitable_products(self):
        """The integration's active consultation products that serve the document typed (all
        of them while no valid document is typed)."""
        self.ensure_one()
        kind = self._document_kind()
        return self.integration_id.product_ids.filtered(
            lambda p: p.kind == "consulta" and p.active and (not kind or p._bureau_serves(kind))
        )

    @api.depends("integration_id", "document")
    def _compute_product_id(self):
        """Propose a product that serves the document: the one chosen while it still does,
        else the integration's default one if it does, else one made for that kind of
        document, else one serving both."""
        for wizard in self:
            kind = wizard._document_kind()
            product = wizard.product_id
            if product.integration_id == wizard.integration_id and (
                not kind or product._bureau_serves(kind)
            ):
                continue
            default = wizard.integration_id.default_product_id
            suitable = wizard._suitable_products()
            if default in suitable:
                wizard.product_id = default
            else:
                wizard.product_id = (
                    suitable.filtered(lambda p, kind=kind: p.audience == kind)[:1] or suitable[:1]
                )

    @api.depends("product_id", "product_id.price", "integration_id")
    def _compute_cost(self):
        for wizard in self:
            product, integration = wizard.product_id, wizard.integration_id
            wizard.cost = product._bureau_cost(integration) if product else 0.0
            wizard.cost_notice, wizard.cost_notice_level = wizard._cost_notice()

    def _cost_notice(self):
        """The banner of the wizard: whether this consultation is charged, in the words of
        the provider where it has some (the feature ``homologation_notice``)."""
        self.ensure_one()
        integration = self.integration_id
        if not integration:
            return False, False
        if integration.costs_money_always:
            text = self.env._(
                "This provider has no free test environment: this consultation is charged, "
                "whatever the environment."
            )
        elif integration.is_paid_environment:
            text = self.env._("Production: this consultation is charged by the provider.")
        else:
            notice = integration._bureau_get_features().get("homologation_notice")
            return (
                notice
                or self.env._(
                    "Homologation: the provider answers with test data, free of charge. "
                    "Nothing is recorded as cost."
                )
            ), "info"
        product = self.product_id
        if product and not product.price_known:
            text += " " + self.env._(
                "The price of %(product)s is not known (the provider does not publish it): "
                "the cost recorded is zero until an administrator types it in the products "
                "of the integration.",
                product=product.display_name,
            )
        return text, "warning"

    # ------------------------------------------------------------------ typed text
    def _check_typed_text(self, vals):
        """A control character typed or pasted into the wizard is refused with a clear
        message before the wizard is saved (PostgreSQL would refuse a NUL with a traceback)."""
        check_text(self.env, vals.get("document"), self.env._("The CPF/CNPJ"), strict=True)
        for name in ("reason", "repeat_reason"):
            check_text(self.env, vals.get(name), self._fields[name]._description_string(self.env))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_typed_text(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_typed_text(vals)
        return super().write(vals)

    @api.depends("document", "company_id")
    def _compute_previous_consultation_id(self):
        interval = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(PARAM_REPEAT_INTERVAL, DEFAULT_REPEAT_INTERVAL)
        )
        for wizard in self:
            wizard.repeat_interval = interval
            previous = wizard._find_previous(interval)
            wizard.has_previous = bool(previous)
            readable = previous and previous.with_env(self.env).has_access("read")
            wizard.previous_consultation_id = previous.id if readable else False
            if not previous:
                wizard.previous_summary = False
            elif readable:
                wizard.previous_summary = self.env._(
                    "Consulted on %(date)s by %(user)s: %(result)s, score %(score)s.",
                    date=fields.Datetime.context_timestamp(self, previous.date).strftime(
                        "%d/%m/%Y %H:%M"
                    ),
                    user=previous.user_id.name,
                    result=previous.with_env(self.env).result_summary or "-",
                    score=previous.score if previous.has_score else "-",
                )
            else:
                # Paid for already, but by someone whose consultations this user does not
                # read: the warning says when, never what came back.
                wizard.previous_summary = self.env._(
                    "Consulted on %(date)s by %(user)s. You may not read that report: ask a "
                    "credit analyst before paying for a new one.",
                    date=fields.Datetime.context_timestamp(self, previous.date).strftime(
                        "%d/%m/%Y %H:%M"
                    ),
                    user=previous.user_id.name,
                )

    def _find_previous(self, interval):
        """The last consultation of the document in the interval, in the user's companies,
        whoever asked (as superuser: a seller who may not read a colleague's consultation
        is warned all the same before paying again)."""
        self.ensure_one()
        Consultation = self.env["credit.bureau.consultation"]
        if not self.document or interval <= 0:
            return Consultation
        try:
            document, _kind = validate_document(self.env, self.document)
        except UserError:
            return Consultation
        since = fields.Datetime.now() - timedelta(days=interval)
        return Consultation.sudo().search(
            [
                ("document", "=", document),
                ("state", "=", "done"),
                ("date", ">=", since),
                ("company_id", "in", self.env.companies.ids),
            ],
            order="date desc, id desc",
            limit=1,
        )

    def action_open_previous(self):
        """Open the earlier report: free, nothing is sent."""
        self.ensure_one()
        if not self.previous_consultation_id:
            raise AccessError(self.env._("You may not read the earlier consultation."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.bureau.consultation",
            "res_id": self.previous_consultation_id.id,
            "view_mode": "form",
            "target": "current",
        }

    def _check_user_may_consult(self):
        """What the user may do, checked here because the consultation is then created as
        superuser (see ``action_consult``): the consultation group, a company of the user,
        that company's (or its head office's) integration and product, and a partner or
        lead the user reads."""
        self.ensure_one()
        user = self.env.user
        if self.env.su:
            pass  # code running as superuser (a scheduled action, a test) is trusted
        elif not user.has_group("l10n_br_credit_bureau.group_consult"):
            raise AccessError(
                self.env._(
                    'Only the users of the group "Credit analysis: consult" may consult a CPF/CNPJ.'
                )
            )
        elif self.company_id not in user.company_ids:
            raise AccessError(
                self.env._(
                    "You may not consult for %(company)s: it is not one of your companies.",
                    company=self.company_id.sudo().name,
                )
            )
        if not self.integration_id:
            raise UserError(
                self.env._(
                    "No credit bureau integration for %(company)s nor its head office.",
                    company=self.company_id.name,
                )
            )
        integration = self.integration_id.sudo()
        if not integration.active:
            raise UserError(
                self.env._(
                    "The integration %(name)s is archived: it cannot be used.",
                    name=integration.name,
                )
            )
        if integration.company_id not in self.company_id.parent_ids:
            raise UserError(
                self.env._(
                    "The integration %(name)s is not one of %(company)s nor of its head office.",
                    name=integration.name,
                    company=self.company_id.name,
                )
            )
        product = self.product_id.sudo()
        if product and (
            product.integration_id != integration
            or product.kind != "consulta"
            or not product.active
        ):
            raise UserError(
                self.env._(
                    "The product %(product)s is not a consultation product of the integration "
                    "%(name)s.",
                    product=product.display_name,
                    name=integration.name,
                )
            )
        # An AccessError when the user may not read them: nothing is consulted on behalf
        # of a record the user does not see.
        for record in (self.partner_id, self.lead_id):
            if record:
                record.check_access("read")

    def _check_before_sending(self):
        """Every check that can fail is done before anything is sent or paid for."""
        self.ensure_one()
        self._check_user_may_consult()
        document, kind = validate_document(self.env, self.document)
        product = self.product_id.sudo()
        if product and not product._bureau_serves(kind):
            raise UserError(product._bureau_audience_error(kind, document))
        if not self.integration_id.supports_consultation:
            raise UserError(
                self.env._(
                    "The integration %(name)s does not offer consultations.",
                    name=self.integration_id.name,
                )
            )
        if self.has_previous:
            if not self.confirm_repeat:
                raise UserError(
                    self.env._(
                        "%(document)s was already consulted in the last %(days)s days. Open "
                        "the earlier report (free) or confirm that you want to pay for a new "
                        "one, with the reason.",
                        document=format_document(document),
                        days=self.repeat_interval,
                    )
                )
            if not (self.repeat_reason or "").strip():
                raise UserError(
                    self.env._("Give the reason for consulting the same document again.")
                )
        return document, kind

    def action_consult(self):
        self.ensure_one()
        document, kind = self._check_before_sending()
        reason = (self.reason or "").strip()
        previous = self._find_previous(self.repeat_interval)
        if previous:
            reason = "\n".join(
                filter(None, [reason, self.env._("Repeated: %s", self.repeat_reason.strip())])
            )
        # Creating a consultation means asking the provider: only this flow does it, after
        # the checks above, as superuser (users never create nor write consultations). The
        # requesting user stays the author of the record and of its messages.
        consultation = (
            self.env["credit.bureau.consultation"]
            .sudo()
            .create(
                {
                    "user_id": self.env.user.id,
                    "document": document,
                    "document_type": kind,
                    "partner_id": self.partner_id.id,
                    "lead_id": self.lead_id.id,
                    "integration_id": self.integration_id.id,
                    "company_id": self.company_id.id,
                    "product_id": self.product_id.id,
                    "product_code": self.product_id.code,
                    # What the wizard showed (``cost``), computed again the same way.
                    "cost": self.product_id._bureau_cost(self.integration_id)
                    if self.product_id
                    else 0.0,
                    "reason": reason,
                    "repeat_of_id": previous.id,
                }
            )
        )
        consultation._bureau_run()
        return {
            "type": "ir.actions.act_window",
            "res_model": "credit.bureau.consultation",
            "res_id": consultation.id,
            "view_mode": "form",
            "target": "current",
        }

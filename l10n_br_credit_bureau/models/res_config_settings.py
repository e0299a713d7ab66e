from odoo import fields, models

from ..const import (
    DEFAULT_REPEAT_INTERVAL,
    DEFAULT_RETENTION_DAYS,
    PARAM_REPEAT_INTERVAL,
    PARAM_RETENTION_DAYS,
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    group_credit_bureau_enabled = fields.Boolean(
        string="Uses credit bureau integration",
        implied_group="l10n_br_credit_bureau.group_credit_bureau_enabled",
        help="Set automatically when an active integration exists; when off, every "
        "consultation and negativation button, tab and menu is hidden.",
    )
    credit_bureau_repeat_interval = fields.Integer(
        string="Days between consultations of the same CPF/CNPJ",
        config_parameter=PARAM_REPEAT_INTERVAL,
        default=DEFAULT_REPEAT_INTERVAL,
        help="Within this interval a new consultation of the same document asks for a "
        "confirmation and a reason, and offers the earlier report.",
    )
    credit_bureau_retention_days = fields.Integer(
        string="Keep consultation reports (days)",
        config_parameter=PARAM_RETENTION_DAYS,
        default=DEFAULT_RETENTION_DAYS,
        help="The providers' reports hold personal data: they are deleted after this many "
        "days (LGPD); the summary fields stay.",
    )

from markupsafe import Markup, escape

from odoo import models

from ..tools import mask_secrets


class CreditBureauNegativationChatter(models.Model):
    """The audit trail of negativations: chatter lines in bulk through mail.thread's own
    API, the integrations' secrets masked in every line."""

    # One model split by flow over files of this addon, on purpose (see the record file).
    _inherit = "credit.bureau.negativation"  # pylint: disable=consider-merging-classes-inherited

    def _bureau_log_bulk(self, body):
        """The same note on many records, authored by the current user, without notifying
        anyone (``mail.thread._message_log_batch``: one ``mail.message.create`` for the
        batch). The text is masked before it is escaped into HTML, so that the masking of
        keys (``<Senha>…</Senha>``, ``"token": "…"``, ``senha=…``) sees it as written."""
        if not self:
            return self.env["mail.message"]
        if not isinstance(body, Markup):
            body = escape(self._bureau_mask_messages([{"body": body}])[0]["body"])
        return self.sudo()._message_log_batch(bodies=dict.fromkeys(self.ids, body))

    def _message_create(self, values_list):
        """Every chatter line of a negativation goes through here (``message_post``, the
        creation line logged by ``mail.thread.create`` with ``_message_log_batch``, the
        notes of ``_bureau_log_bulk``): the secrets are masked, then ``mail.message`` is
        created by the ORM as usual."""
        return super()._message_create(self._bureau_mask_messages(values_list))

    def _bureau_mask_messages(self, values_list):
        """The chatter lines with the integrations' secrets masked, as in the logs: a provider
        may echo a password or a token in the answer (or the error) that is posted."""
        keys, values = set(), []
        for integration in self.sudo().integration_id:
            keys |= set(integration._bureau_sensitive_keys())
            values += integration._bureau_secret_values()
        # The bodies are HTML: a secret holding "&" or "<" is there escaped.
        values += [str(escape(value)) for value in values if value]
        masked = {}

        def mask(body):
            if body not in masked:
                text = mask_secrets(str(body), keys, values)
                if text == str(body):
                    masked[body] = body
                else:
                    masked[body] = Markup(text) if isinstance(body, Markup) else text
            return masked[body]

        return [
            dict(vals, body=mask(vals["body"])) if vals.get("body") else vals
            for vals in values_list
        ]

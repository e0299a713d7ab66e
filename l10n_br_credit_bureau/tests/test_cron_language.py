"""The scheduled actions run without a user language: what they write (chatter, the record's
message, removal reasons, to-dos, batch summaries) is in the language of the company's
users, Portuguese on a Brazilian database, exactly as a user-triggered action writes it."""

import re
from datetime import timedelta

import polib

from odoo.tests import tagged
from odoo.tools.misc import file_path

from ..tools import CreditBureauError
from .test_negativation import NegativationCommon

PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]")


@tagged("post_install", "-at_install")
class TestCronLanguage(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("pt_BR")
        cls.env["ir.module.module"]._load_module_terms(
            ["l10n_br_credit_bureau"], ["pt_BR"], overwrite=True
        )
        # A Portuguese-only database: the company and its users speak pt_BR.
        cls.company.partner_id.lang = "pt_BR"
        cls.company.country_id = cls.env.ref("base.br")
        cls.env.user.lang = "pt_BR"
        cls.manager.lang = "pt_BR"
        english = [
            fragment.strip(" .:,;()\n")
            for entry in polib.pofile(file_path("l10n_br_credit_bureau/i18n/pt_BR.po"))
            if entry.msgstr and entry.msgstr != entry.msgid
            for fragment in PLACEHOLDER.split(entry.msgid)
        ]
        # Fragments long enough to be English only (a word like "Ativa" is not).
        cls.english = sorted({fragment for fragment in english if len(fragment) >= 14})

    def _cron_env(self):
        """The environment a scheduled action gets: no language in the context."""
        context = {k: v for k, v in self.env.context.items() if k != "lang"}
        return self.env(context=context)

    def _assert_no_english(self, texts):
        found = [
            (fragment, text) for text in texts for fragment in self.english if fragment in text
        ]
        self.assertFalse(found, "English written by a scheduled action")

    def test_the_crons_write_portuguese(self):
        env = self._cron_env()
        # What the set-up wrote (in English, as the test's user) is not looked at.
        first_message = self.env["mail.message"].search([], order="id desc", limit=1).id
        Negativation = env["credit.bureau.negativation"]
        integration = self.integration.with_env(env)
        integration.write({"auto_negativate": True, "auto_days_after_due": 30})
        other = self._debtor("Maria Souza", "390.533.447-05")
        ok, failing, paid = (
            self._invoice(),
            self._invoice(partner=other, amount=200),
            self._invoice(amount=300),
        )
        integration.with_env(env)._cron_auto_negativate()
        negativations = Negativation.search([("move_id", "in", (ok | failing | paid).ids)])
        self.assertEqual(len(negativations), 3)
        # The provider refuses the first attempt of one: an error, a retry, then a final error.
        original = type(integration)._bureau_include

        def include(self_, debt):
            if debt["amount"] == 200:
                self_.dummy_fail = "error"
                try:
                    return original(self_, debt)
                finally:
                    self_.dummy_fail = False
            return original(self_, debt)

        self.patch(type(integration), "_bureau_include", include)
        Negativation._cron_send()
        failed = negativations.filtered(lambda n: n.amount == 200)
        self.assertEqual(failed.state, "error")
        for _attempt in range(6):
            failed.sudo().next_retry = failed.next_retry and (failed.next_retry - timedelta(days=1))
            Negativation._cron_retry_errors()
        self.assertFalse(failed.next_retry)
        self.assertTrue(failed.activity_ids)
        Negativation._cron_poll_status()
        # Payment: the removal, then a removal that fails and is late.
        self._pay(paid)
        self._pay(ok)
        removed = negativations.filtered(lambda n: n.move_id == ok)
        late = negativations.filtered(lambda n: n.move_id == paid)
        original_remove = type(integration)._bureau_remove

        def remove(self_, reference, code, removal_date):
            if reference != removed.reference:
                raise CreditBureauError(
                    self_.env._("The simulated provider refused the request (%s).", "remove"),
                    retryable=True,
                )
            return original_remove(self_, reference, code, removal_date)

        self.patch(type(integration), "_bureau_remove", remove)
        Negativation._cron_remove()
        late.sudo().removal_deadline = self.today - timedelta(days=1)
        Negativation._cron_remove()
        self.assertEqual(removed.state, "removed")
        self.assertEqual(late.state, "removal_requested")
        # A mass negativation batch closed by the sending job, with its summary.
        batch = env["credit.bureau.negativation.batch"].sudo().create({"refused_count": 0})
        Negativation._cron_send()
        texts = []
        for record in [*negativations, batch, integration]:
            messages = record.message_ids.filtered(lambda m: m.id > first_message)
            texts += [str(body) for body in messages.mapped("body") if body]
        texts += [text for text in negativations.mapped("message") if text]
        texts += [text for text in negativations.mapped("removal_reason") if text]
        activities = negativations.activity_ids
        self.assertTrue(activities)
        texts += activities.mapped("summary") + [str(note) for note in activities.mapped("note")]
        self.assertTrue(texts)
        self._assert_no_english(texts)
        # And it is Portuguese, not merely not English.
        joined = "\n".join(texts)
        for portuguese in ("Removida no intermediador", "Fatura paga", "Negativação em lote"):
            self.assertIn(portuguese, joined)

    def test_the_company_language(self):
        company = self.company
        self.assertEqual(company._bureau_lang(), "pt_BR")
        # A database created in English keeps en_US on the company: a Brazilian company's
        # users still get Portuguese.
        company.partner_id.lang = "en_US"
        self.assertEqual(company._bureau_lang(), "pt_BR")
        company.country_id = company.partner_id.country_id = self.env.ref("base.us")
        self.assertEqual(company._bureau_lang(), "en_US")

import os
import re
from collections import defaultdict

import polib

from odoo.exceptions import UserError
from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

from ..tools import validate_document

CORE = "l10n_br_credit_bureau"
LANG = "pt_BR"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdfr]")


@tagged("post_install", "-at_install")
class TestI18n(TransactionCase):
    """Every term a module exports has a pt_BR translation, and the UI says it in
    Portuguese: the users (internet providers' staff) know these screens by their IXC
    Provedor / HubSoft names."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Our addons, the installed ones: the core and every addon of its repository (the
        # providers'), each shipping an i18n/pt_BR.po that translates every term it exports.
        repository = os.path.dirname(get_module_path(CORE))
        cls.modules = sorted(
            name
            for name in cls.env["ir.module.module"]
            .search([("state", "=", "installed")])
            .mapped("name")
            if (path := get_module_path(name, display_warning=False))
            and os.path.dirname(path) == repository
        )
        # The UI assertions read the translations of the database: load the core's file as
        # it is now, whatever was loaded at install time.
        cls.env["res.lang"]._activate_lang(LANG)
        cls.env["ir.module.module"]._load_module_terms([CORE], [LANG], overwrite=True)
        cls.env.invalidate_all()

    def _exported_terms(self):
        """``{module: {msgid: [references]}}``, collected as `odoo i18n export` does."""
        terms = defaultdict(lambda: defaultdict(list))
        reader = TranslationModuleReader(self.env.cr, modules=list(self.modules), lang=LANG)
        for module, ttype, name, res_id, source, _value, _comments in reader:
            if module in self.modules:
                reference = f"{ttype}:{name}" + (f":{res_id}" if ttype != "code" else "")
                terms[module][source].append(reference)
        return terms

    def _po_entries(self, module):
        """``{msgid: msgstr}`` of the module's pt_BR.po, empty when there is none."""
        try:
            path = file_path(f"{module}/i18n/{LANG}.po")
        except FileNotFoundError:
            return {}
        return {
            entry.msgid: entry.msgstr
            for entry in polib.pofile(path)
            if not entry.obsolete and entry.msgid
        }

    def test_every_exported_term_is_translated(self):
        self.assertIn(CORE, self.modules)
        terms = self._exported_terms()
        problems = []
        for module in self.modules:
            entries = self._po_entries(module)
            missing = sorted(
                msgid for msgid in terms[module] if not (entries.get(msgid) or "").strip()
            )
            if missing:
                problems.append(
                    f"{module}/i18n/{LANG}.po lacks a translation of {len(missing)} term(s) "
                    f"(export them with: odoo i18n export -d <db> -l {LANG} -o /tmp/{module}.po "
                    f"{module}, then translate):\n"
                    + "\n".join(
                        f"  msgid {msgid!r}  ({terms[module][msgid][0]})" for msgid in missing
                    )
                )
        if problems:
            self.fail("\n\n".join(problems))

    def test_translations_keep_the_placeholders(self):
        problems = []
        for module in self.modules:
            for msgid, msgstr in self._po_entries(module).items():
                if msgstr and sorted(PLACEHOLDER.findall(msgid)) != sorted(
                    PLACEHOLDER.findall(msgstr)
                ):
                    problems.append(f"{module}: {msgid!r} -> {msgstr!r}")
        if problems:
            self.fail("Placeholders differ between msgid and msgstr:\n" + "\n".join(problems))

    def test_key_strings_in_portuguese(self):
        env = self.env(context=dict(self.env.context, lang=LANG))
        Integration = env["credit.bureau.integration"]
        fields = Integration.fields_get(["provider", "company_id", "environment"])
        self.assertEqual(fields["provider"]["string"], "Intermediador")
        self.assertEqual(fields["company_id"]["string"], "Filial")
        self.assertEqual(
            dict(fields["environment"]["selection"]),
            {"homologacao": "Homologação", "producao": "Produção"},
        )
        menu = env.ref("l10n_br_credit_bureau.menu_credit_bureau_root")
        self.assertEqual(menu.name, "Análise de crédito")
        self.assertEqual(
            env.ref("l10n_br_credit_bureau.menu_credit_consult").name, "Consulta de crédito"
        )
        self.assertEqual(
            env.ref("l10n_br_credit_bureau.group_consult").name, "Análise de crédito: consultar"
        )
        self.assertEqual(
            env["res.company"].fields_get(["credit_bureau_integration_id"])[
                "credit_bureau_integration_id"
            ]["string"],
            "Integração de análise de crédito",
        )
        arch = env["res.partner"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("Consultar análise de crédito", arch)
        self.assertIn("Consultas de análise de crédito", arch)
        # A message raised from Python code (translated from the .po at run time).
        with self.assertRaisesRegex(UserError, "não é um CPF válido"):
            validate_document(env, "529.982.247-24")

    def test_negativation_words_in_portuguese(self):
        """The words of the issue: "Remoção atrasada", "Remover negativação" — never "baixa"
        for our own removal — and a branch to filter on."""
        branch = self.env["res.company"].create(
            {"name": "Filial Centro", "parent_id": self.env.company.id}
        )
        user = new_test_user(
            self.env,
            login="i18n_negativation",
            groups="base.group_user,l10n_br_credit_bureau.group_negativation",
            company_ids=[(6, 0, (self.env.company | branch).ids)],
            lang=LANG,
        )
        self.assertTrue(user.has_group("base.group_multi_company"))
        env = self.env(user=user, context=dict(self.env.context, lang=LANG))
        Negativation = env["credit.bureau.negativation"]
        fields = Negativation.fields_get(["removal_late", "state", "company_id"])
        self.assertEqual(fields["removal_late"]["string"], "Remoção atrasada")
        self.assertEqual(fields["company_id"]["string"], "Filial")
        states = dict(fields["state"]["selection"])
        self.assertEqual(states["removal_requested"], "Remoção solicitada")
        self.assertEqual(states["removed"], "Removida")
        views = Negativation.get_views([(False, "form"), (False, "list"), (False, "search")])
        search = views["views"]["search"]["arch"]
        self.assertIn('string="Remoção atrasada"', search)
        # The branch is a search field (type a branch) as well as a group-by.
        self.assertIn('<field name="company_id"', search)
        self.assertIn("'group_by': 'company_id'", search)
        form = views["views"]["form"]["arch"]
        self.assertIn('string="Remover negativação"', form)
        self.assertIn("A remoção está atrasada", form)
        self.assertEqual(env._("Remove the negativation"), "Remover a negativação")
        self.assertEqual(
            env.ref("l10n_br_credit_bureau.ir_cron_negativation_removal").sudo().name,
            "Análise de crédito: remoção automática (pagas e cinco anos)",
        )
        for view in views["views"].values():
            self.assertNotIn("aixa", view["arch"])

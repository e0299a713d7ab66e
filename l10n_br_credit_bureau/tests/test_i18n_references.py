import os
from collections import defaultdict

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

CORE = "l10n_br_credit_bureau"
LANG = "pt_BR"


@tagged("post_install", "-at_install")
class TestI18nReferences(TransactionCase):
    """Odoo translates a field label, a selection value, a menu or a view's term from the
    .po entries that name that very record: a msgid translated for one field is still
    English on another field that the entry does not list (the routines' "Integração" read
    "Integration", the "Extrato mensal" menu "Monthly statement"). Every record a module
    exports a term for is listed under that term's entry in its pt_BR.po."""

    def test_every_record_of_a_term_is_referenced(self):
        repository = os.path.dirname(get_module_path(CORE))
        modules = sorted(
            name
            for name in self.env["ir.module.module"]
            .search([("state", "=", "installed")])
            .mapped("name")
            if (path := get_module_path(name, display_warning=False))
            and os.path.dirname(path) == repository
        )
        exported = defaultdict(lambda: defaultdict(set))
        reader = TranslationModuleReader(self.env.cr, modules=modules, lang=LANG)
        for module, ttype, name, res_id, source, _value, _comments in reader:
            if module in modules and ttype != "code":  # code terms are found by msgid
                exported[module][source].add(f"{ttype}:{name}:{res_id}")
        problems = []
        for module in modules:
            path = os.path.join(get_module_path(module), "i18n", f"{LANG}.po")
            if not os.path.isfile(path):
                continue
            listed = defaultdict(set)
            for entry in polib.pofile(path):
                listed[entry.msgid].update(reference for reference, _line in entry.occurrences)
            for source, references in sorted(exported[module].items()):
                if source in listed:  # a term without entry is test_i18n's concern
                    problems += [
                        f"{module}: add '#: {reference}' to the entry of msgid {source!r}"
                        for reference in sorted(references - listed[source])
                    ]
        self.assertFalse(problems, "\n".join(problems))

"""A pt_BR entry translates a field, a menu, a view or a report only where its references
say: Odoo loads the translation of a record's term (``model:`` and ``model_terms:``) from
the entries that name that record, whatever the msgid. An entry whose msgid is right but
whose reference is missing (a view renamed, a field added with a known label) leaves that
screen in English. Python terms (``code:``) are found by their msgid alone."""

import os

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader

CORE = "l10n_br_credit_bureau"
LANG = "pt_BR"


@tagged("post_install", "-at_install")
class TestI18nReferences(TransactionCase):
    def test_every_record_term_is_referenced_by_its_entry(self):
        repository = os.path.dirname(get_module_path(CORE))
        modules = sorted(
            name
            for name in self.env["ir.module.module"]
            .search([("state", "=", "installed")])
            .mapped("name")
            if (path := get_module_path(name, display_warning=False))
            and os.path.dirname(path) == repository
        )
        self.assertIn(CORE, modules)
        references = {}
        for module in modules:
            try:
                path = file_path(f"{module}/i18n/{LANG}.po")
            except FileNotFoundError:
                continue
            references[module] = {
                entry.msgid: {occurrence for occurrence, _line in entry.occurrences}
                for entry in polib.pofile(path)
                if entry.msgid and entry.msgstr.strip()
            }
        reader = TranslationModuleReader(self.env.cr, modules=modules, lang=LANG)
        missing = []
        for module, ttype, name, res_id, source, _value, _comments in reader:
            if module not in references or ttype == "code":
                continue
            reference = f"{ttype}:{name}:{res_id}"
            known = references[module].get(source)
            if known is not None and reference not in known:
                missing.append(f"{module}: {source!r} lacks the reference {reference}")
        self.assertFalse(
            missing,
            "pt_BR entries without the reference of a record that uses their term (add the "
            "line '#: <reference>' to the entry):\n" + "\n".join(sorted(missing)),
        )

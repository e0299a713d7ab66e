"""Finer rights (issue 13, section 4): consulting and negativating are separate rights, a
seller reads only their own consultations and those of their customers and leads, a credit
analyst reads every consultation of their companies; and the migration of a database where
negativating implied consulting."""

import importlib.util

from odoo.exceptions import AccessError, UserError
from odoo.modules.module import get_module_path
from odoo.tests import new_test_user, tagged

from .common import CreditBureauCommon

CONSULT = "l10n_br_credit_bureau.group_consult"
ANALYST = "l10n_br_credit_bureau.group_credit_analyst"
NEGATIVATION = "l10n_br_credit_bureau.group_negativation"
ADMIN = "l10n_br_credit_bureau.group_admin"


def _load_migration():
    """The post-migration script of 19.0.1.1.0, loaded as Odoo's upgrade would load it."""
    path = f"{get_module_path('l10n_br_credit_bureau')}/migrations/19.0.1.1.0/post-migrate.py"
    spec = importlib.util.spec_from_file_location("l10n_br_credit_bureau_migration_1_1", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestRights(CreditBureauCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        companies = cls.head_office | cls.branch

        def user(login, groups):
            return new_test_user(
                cls.env,
                login=login,
                groups=",".join(["base.group_user", "sales_team.group_sale_salesman", *groups]),
                company_id=cls.branch.id,
                company_ids=[(6, 0, companies.ids)],
            )

        cls.negativation_user = user("rights_negativation", [NEGATIVATION])
        cls.both_user = user("rights_both", [CONSULT, NEGATIVATION])
        cls.seller = user("rights_seller", [CONSULT])
        # The analyst reads every lead (Sales: all documents), to consult for the seller's.
        cls.analyst = user("rights_analyst", [ANALYST, "sales_team.group_sale_salesman_all_leads"])
        # A customer and a lead of the seller, a customer of nobody in particular.
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Cliente do Vendedor",
                "vat": "390.533.447-05",
                "user_id": cls.seller.id,
                "company_id": cls.branch.id,
            }
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Contato do Cliente", "parent_id": cls.customer.id, "type": "contact"}
        )
        cls.lead = cls.env["crm.lead"].create(
            {"name": "Oportunidade do Vendedor", "user_id": cls.seller.id}
        )

    def _consultation_as(self, user, document, **values):
        """A consultation requested by ``user`` through the wizard."""
        return self._consult(document, user=user, **values)

    # ------------------------------------------------------------------ groups
    def test_negativation_alone_does_not_consult(self):
        user = self.negativation_user
        self.assertTrue(user.has_group(NEGATIVATION))
        self.assertFalse(user.has_group(CONSULT))
        consultation = self._consult("529.982.247-25")
        # Neither consults (not even the wizard opens) ...
        with self.assertRaises(AccessError):
            self._consult("529.982.247-25", user=user, confirm_repeat=True, repeat_reason="x")
        # ... nor reads consultations or their reports ...
        Consultation = self.env["credit.bureau.consultation"].with_user(user)
        with self.assertRaises(AccessError):
            Consultation.search([])
        with self.assertRaises(AccessError):
            consultation.with_user(user).read(["score"])
        with self.assertRaises(AccessError):
            consultation.report_attachment_id.with_user(user).read(["datas"])
        # ... and sees no consultation menu, but the negativation ones.
        menus = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        ref = self.env.ref
        self.assertNotIn(ref("l10n_br_credit_bureau.menu_credit_consult").id, menus)
        self.assertNotIn(ref("l10n_br_credit_bureau.menu_credit_consultations").id, menus)
        self.assertNotIn(ref("l10n_br_credit_bureau.menu_credit_consultation_report").id, menus)
        self.assertIn(ref("l10n_br_credit_bureau.menu_credit_negativations").id, menus)
        self.assertIn(ref("l10n_br_credit_bureau.menu_credit_negativation_report").id, menus)
        # The partner's form works, without the consultations (count zero, no error).
        partner = self.partner.with_user(user)
        self.assertEqual(partner.credit_consultation_count, 0)
        self.assertTrue(partner.credit_bureau_enabled)
        # The integration, its products and codes are readable (the negativation flows).
        self.assertTrue(self.integration.with_user(user).read(["name", "min_amount"]))
        self.assertTrue(self.integration.product_ids.with_user(user).read(["code"]))
        self.assertTrue(self.integration.code_ids.with_user(user).read(["code"]))

    def test_consult_and_negativate_given_alone_or_together(self):
        self.assertTrue(self.seller.has_group(CONSULT))
        self.assertFalse(self.seller.has_group(NEGATIVATION))
        self.assertTrue(self.both_user.has_group(CONSULT))
        self.assertTrue(self.both_user.has_group(NEGATIVATION))
        consultation = self._consultation_as(self.both_user, "529.982.247-25")
        self.assertEqual(consultation.state, "done")
        self.assertEqual(
            consultation.with_user(self.both_user).read(["score"])[0]["id"], consultation.id
        )
        # The seller does not negativate.
        with self.assertRaises(AccessError):
            self.env["credit.bureau.negativation"].with_user(self.seller).search([])
        # The administrator has both, and the analyst level.
        for group in (CONSULT, ANALYST, NEGATIVATION, ADMIN):
            self.assertTrue(self.admin_user.has_group(group), group)
        # Two privileges: each right is chosen on its own in the user's form.
        ref = self.env.ref
        self.assertNotEqual(ref(CONSULT).privilege_id, ref(NEGATIVATION).privilege_id)
        self.assertEqual(ref(ANALYST).privilege_id, ref(CONSULT).privilege_id)
        self.assertNotIn(ref(CONSULT), ref(NEGATIVATION).all_implied_ids)
        self.assertNotIn(ref(NEGATIVATION), ref(ANALYST).all_implied_ids)

    # ------------------------------------------------------------------ who reads what
    def test_seller_reads_own_and_customers_consultations_analyst_all(self):
        mine = self._consultation_as(self.seller, "529.982.247-25")
        colleague = self._consultation_as(self.consult_user, "111.444.777-35")
        # Consulted by the analyst for the seller's customer, a contact of it, and lead.
        of_customer = self._consultation_as(
            self.analyst, "390.533.447-05", partner_id=self.customer.id
        )
        of_contact = self._consultation_as(
            self.analyst,
            "390.533.447-05",
            partner_id=self.contact.id,
            confirm_repeat=True,
            repeat_reason="Contato",
        )
        of_lead = self._consultation_as(self.analyst, "11.222.333/0001-81", lead_id=self.lead.id)
        everything = mine | colleague | of_customer | of_contact | of_lead
        Consultation = self.env["credit.bureau.consultation"]
        seen = Consultation.with_user(self.seller).search([("id", "in", everything.ids)])
        self.assertEqual(seen, mine | of_customer | of_contact | of_lead)
        with self.assertRaises(AccessError):
            colleague.with_user(self.seller).read(["score"])
        with self.assertRaises(AccessError):
            colleague.line_ids[:1].with_user(self.seller).read(["amount"])
        self.assertTrue(of_customer.line_ids.with_user(self.seller).read(["amount"]))
        # The colleague (a seller too) sees the one they requested only.
        seen = Consultation.with_user(self.consult_user).search([("id", "in", everything.ids)])
        self.assertEqual(seen, colleague)
        # The credit analyst reads every consultation of their companies ...
        seen = Consultation.with_user(self.analyst).search([("id", "in", everything.ids)])
        self.assertEqual(seen, everything)
        self.assertTrue(colleague.with_user(self.analyst).read(["score"]))
        # ... never those of another company.
        analyst_elsewhere = new_test_user(
            self.env,
            login="rights_analyst_other",
            groups=f"base.group_user,{ANALYST}",
            company_id=self.other_company.id,
            company_ids=[(6, 0, self.other_company.ids)],
        )
        self.assertFalse(Consultation.with_user(analyst_elsewhere).search([]))
        # Nobody but the administrator deletes one (LGPD).
        with self.assertRaises(AccessError):
            colleague.with_user(self.analyst).unlink()
        # The customer's form counts what the seller reads: their customer's consultations.
        self.assertEqual(
            self.customer.with_user(self.seller).credit_consultation_count,
            Consultation.search_count(self.customer._credit_consultation_domain()),
        )
        self.assertGreaterEqual(self.customer.with_user(self.seller).credit_consultation_count, 1)

    def test_repeat_warning_without_the_report_of_a_colleague(self):
        """A seller who may not read a colleague's consultation of the same document is
        warned all the same before paying again, without seeing its result."""
        colleague = self._consultation_as(self.consult_user, "111.444.777-35")
        wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.seller)
            .with_company(self.branch)
            .create({"document": "111.444.777-35", "company_id": self.branch.id})
        )
        self.assertTrue(wizard.has_previous)
        self.assertFalse(wizard.previous_consultation_id)
        self.assertIn(self.consult_user.name, wizard.previous_summary)
        self.assertNotIn(colleague.message, wizard.previous_summary)
        with self.assertRaises(AccessError):
            wizard.action_open_previous()
        with self.assertRaisesRegex(UserError, "already consulted|já foi consultado"):
            wizard.action_consult()
        wizard.write({"confirm_repeat": True, "repeat_reason": "Novo contrato"})
        repeated = self.env["credit.bureau.consultation"].browse(wizard.action_consult()["res_id"])
        self.assertEqual(repeated.repeat_of_id, colleague)
        # The analyst sees the earlier one and may open it.
        wizard = (
            self.env["credit.bureau.consult.wizard"]
            .with_user(self.analyst)
            .with_company(self.branch)
            .create({"document": "111.444.777-35", "company_id": self.branch.id})
        )
        self.assertEqual(wizard.previous_consultation_id, repeated)
        self.assertEqual(wizard.action_open_previous()["res_id"], repeated.id)


@tagged("post_install", "-at_install")
class TestRightsMigration(CreditBureauCommon):
    """19.0.1.1.0 removes "negativating implies consulting" from an existing database and
    keeps consulting for the users who had it that way."""

    def test_migration_keeps_consulting_for_negativation_users(self):
        consult = self.env.ref(CONSULT)
        negativation = self.env.ref(NEGATIVATION)
        companies = self.head_office | self.branch
        # The database as 19.0.1.0.0 left it: negativating implies consulting.
        negativation.write({"implied_ids": [(4, consult.id)]})
        negativation_user = new_test_user(
            self.env,
            login="migr_negativation",
            groups=f"base.group_user,{NEGATIVATION}",
            company_id=self.branch.id,
            company_ids=[(6, 0, companies.ids)],
        )
        archived = new_test_user(
            self.env,
            login="migr_archived",
            groups=f"base.group_user,{NEGATIVATION}",
            company_id=self.branch.id,
            company_ids=[(6, 0, companies.ids)],
        )
        archived.active = False
        # A custom group implying negativation (e.g. a "Cobrança" role of the customer).
        collections = self.env["res.groups"].create(
            {"name": "Cobrança", "implied_ids": [(4, negativation.id)]}
        )
        collector = new_test_user(
            self.env,
            login="migr_collector",
            groups="base.group_user",
            company_id=self.branch.id,
            company_ids=[(6, 0, companies.ids)],
        )
        collector.group_ids = [(4, collections.id)]
        for user in (negativation_user, archived, collector, self.admin_user):
            self.assertTrue(user.has_group(CONSULT), user.login)
        migration = _load_migration()

        kept = migration.separate_consult_from_negativation(self.env)

        self.assertNotIn(consult, negativation.implied_ids)
        self.assertEqual(kept, negativation_user | archived | collector)
        self.env.invalidate_all()
        for user in (negativation_user, archived, collector):
            self.assertIn(consult, user.group_ids, user.login)  # given explicitly
            self.assertTrue(user.has_group(CONSULT), user.login)
            self.assertTrue(user.has_group(NEGATIVATION), user.login)
        # The administrators consult through their own group: nothing added to them.
        self.assertNotIn(consult, self.admin_user.group_ids)
        self.assertTrue(self.admin_user.has_group(CONSULT))
        # Consulting works for the migrated user.
        consultation = self._consult("529.982.247-25", user=negativation_user)
        self.assertEqual(consultation.state, "done")
        # Once done, it does nothing: a negativation user given the right afterwards does
        # not consult.
        self.assertFalse(migration.separate_consult_from_negativation(self.env))
        newcomer = new_test_user(
            self.env,
            login="migr_newcomer",
            groups=f"base.group_user,{NEGATIVATION}",
            company_id=self.branch.id,
            company_ids=[(6, 0, companies.ids)],
        )
        self.assertFalse(newcomer.has_group(CONSULT))

    def test_migration_marks_the_synchronised_prices_known(self):
        products = self.integration.product_ids
        # As the products were before the field existed.
        products.write({"price_known": False})
        priced = products.filtered("price")
        self.assertTrue(priced and priced != products)  # EXCLUSAO is at R$ 0,00
        self.assertEqual(_load_migration().mark_known_prices(self.env), priced)
        self.assertEqual(products.filtered("price_known"), priced)

    def test_migration_of_a_fresh_installation_does_nothing(self):
        migration = _load_migration()
        group_users = self.env.ref(CONSULT).user_ids
        self.assertFalse(migration.separate_consult_from_negativation(self.env))
        self.assertEqual(self.env.ref(CONSULT).user_ids, group_users)
        # The module's version is the one whose migration this is, or a later one.
        version = self.env["ir.module.module"].search([("name", "=", "l10n_br_credit_bureau")])
        self.assertGreaterEqual(
            tuple(int(part) for part in version.latest_version.split(".")[-3:]),
            (1, 1, 0),
            version.latest_version,
        )

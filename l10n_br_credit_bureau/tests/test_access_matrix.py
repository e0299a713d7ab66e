"""Who may do what, called as an RPC call would (``with_user``, plain values, the ORM's
create/write/unlink/read, never the flows): each group × each operation on negativations,
consultations, integrations and mass negativations × a record of the head office, of its
branch and of another company; plus writing each protected field of a negativation and of a
consultation. Every outcome is compared with the table ``EXPECTED``; the test logs its counts
and fails listing every unexpected success and every unexpected refusal. Each check runs in
its own savepoint, rolled back whatever the outcome: a check leaves nothing behind."""

import logging
from datetime import date

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.credit_bureau_consultation import PROTECTED_FIELDS as CONSULTATION_PROTECTED
from ..models.credit_bureau_negativation import PROTECTED_FIELDS as NEGATIVATION_PROTECTED
from .test_negativation import NegativationCommon

_logger = logging.getLogger(__name__)

# The companies of the records: every user but the branch administrator has both the head
# office and its branch; the branch administrator has the branch only; nobody the other.
HEAD, BRANCH, OTHER = "head office", "branch", "other company"
COMPANIES = (HEAD, BRANCH, OTHER)
BOTH = frozenset({HEAD, BRANCH})
ONLY_BRANCH = frozenset({BRANCH})

# The users: one per group, a plain internal user, and an administrator of the branch only.
# Consulting and negativating are separate rights: the negativation group does not consult.
CONSULT, ANALYST, NEGATIVATION = "consult group", "analyst group", "negativation group"
ADMIN, PLAIN, BRANCH_ADMIN = "administrator", "internal user", "branch administrator"
USERS = (CONSULT, ANALYST, NEGATIVATION, ADMIN, PLAIN, BRANCH_ADMIN)

# The protected fields of a negativation: the model's own list, which holds at least those
# the issue names (``test_access_matrix`` checks it).
ISSUE_NEGATIVATION_PROTECTED = frozenset(
    {
        "state",
        "reference",
        "idempotency_key",
        "outcome_unknown",
        "attempts",
        "sent_date",
        "active_date",
        "expected_visible_date",
        "removal_requested_date",
        "removed_date",
        "message",
        "amount",
        "due_date",
        "document",
        "partner_id",
        "move_id",
        "company_id",
        "integration_id",
        "contract_number",
        "our_number",
        "next_retry",
        "removal_code",
        "removal_reason",
    }
)

# {(model, operation): {user: the companies whose record the user may do it to}}. A user
# who is not listed may do it nowhere.
EXPECTED = {
    # Negativations: the negativation group and the administrators, in their companies.
    ("negativation", "read"): {NEGATIVATION: BOTH, ADMIN: BOTH, BRANCH_ADMIN: ONLY_BRANCH},
    ("negativation", "write the responsible"): {
        NEGATIVATION: BOTH,
        ADMIN: BOTH,
        BRANCH_ADMIN: ONLY_BRANCH,
    },
    # Created from a posted, overdue customer invoice without blocker of the user's company
    # (the invoice of another company is not even readable) ...
    ("negativation", "create from an overdue invoice"): {
        NEGATIVATION: BOTH,
        ADMIN: BOTH,
        BRANCH_ADMIN: ONLY_BRANCH,
    },
    # ... and never from an invoice not yet due, nor with an amount or a debtor of its own.
    ("negativation", "create from an invoice not yet due"): {},
    ("negativation", "create with a forged amount"): {},
    ("negativation", "create with a forged debtor"): {},
    # Deleted only by an administrator, and only when it never left (a draft, or cancelled
    # before sending).
    ("negativation", "unlink a draft"): {ADMIN: BOTH, BRANCH_ADMIN: ONLY_BRANCH},
    ("negativation", "unlink one cancelled before sending"): {
        ADMIN: BOTH,
        BRANCH_ADMIN: ONLY_BRANCH,
    },
    ("negativation", "unlink a sent one"): {},
    # Consultations: a seller (consult group) reads those they requested and those of their
    # customers; the analysts and administrators every one of their companies; the
    # negativation group none. Created and written only by the wizard's flow; deleted by
    # an administrator (LGPD).
    ("consultation", "read"): {ANALYST: BOTH, ADMIN: BOTH, BRANCH_ADMIN: ONLY_BRANCH},
    ("consultation", "read one they requested"): {
        CONSULT: BOTH,
        ANALYST: BOTH,
        ADMIN: BOTH,
        BRANCH_ADMIN: ONLY_BRANCH,
    },
    ("consultation", "read one of a customer of theirs"): {
        CONSULT: BOTH,
        ANALYST: BOTH,
        ADMIN: BOTH,
        BRANCH_ADMIN: ONLY_BRANCH,
    },
    ("consultation", "write"): {},
    ("consultation", "create"): {},
    ("consultation", "unlink"): {ADMIN: BOTH, BRANCH_ADMIN: ONLY_BRANCH},
    # Integrations: the head office's is used (read) by its branch, changed only by the
    # administrators of its own company.
    ("integration", "read"): {
        CONSULT: BOTH,
        ANALYST: BOTH,
        NEGATIVATION: BOTH,
        ADMIN: BOTH,
        BRANCH_ADMIN: BOTH,
    },
    ("integration", "write"): {ADMIN: BOTH, BRANCH_ADMIN: ONLY_BRANCH},
    ("integration", "create"): {ADMIN: BOTH, BRANCH_ADMIN: ONLY_BRANCH},
    ("integration", "unlink"): {ADMIN: BOTH, BRANCH_ADMIN: ONLY_BRANCH},
    # Mass negativations: read by the negativation group; created by the wizard's flow only.
    ("batch", "read"): {NEGATIVATION: BOTH, ADMIN: BOTH, BRANCH_ADMIN: ONLY_BRANCH},
    ("batch", "write"): {},
    ("batch", "create"): {},
    ("batch", "unlink"): {},
}
# Writing a protected field: nobody, anywhere.
for _name in NEGATIVATION_PROTECTED:
    EXPECTED["negativation", f"write {_name}"] = {}
for _name in CONSULTATION_PROTECTED:
    EXPECTED["consultation", f"write {_name}"] = {}


class _Allowed(Exception):
    """Raised inside a check's savepoint when the operation went through: the savepoint is
    rolled back all the same."""


@tagged("post_install", "-at_install")
class TestAccessMatrix(NegativationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The records are prepared as superuser (the test case's user is an accountant with
        # Settings, hence a credit bureau administrator); the checks run as each user.
        cls.env = cls.env(su=True)
        head = cls.company
        branch = cls.env["res.company"].create({"name": "Filial Campinas", "parent_id": head.id})
        cls.env.cr.precommit.run()  # the branch's accounting (as Odoo's own branch tests do)
        other = cls.setup_other_company(name="Outro Provedor")["company"]
        cls.companies = {HEAD: head, BRANCH: branch, OTHER: other}
        groups = {
            CONSULT: "l10n_br_credit_bureau.group_consult",
            ANALYST: "l10n_br_credit_bureau.group_credit_analyst",
            NEGATIVATION: "l10n_br_credit_bureau.group_negativation",
            ADMIN: "l10n_br_credit_bureau.group_admin",
            PLAIN: "",
            BRANCH_ADMIN: "l10n_br_credit_bureau.group_admin",
        }
        cls.users = {}
        for key, group in groups.items():
            companies = branch if key == BRANCH_ADMIN else head | branch
            cls.users[key] = new_test_user(
                cls.env,
                login=f"matrix_{key.replace(' ', '_')}",
                groups=",".join(filter(None, ["base.group_user", group])),
                company_id=companies[0].id,
                company_ids=[(6, 0, companies.ids)],
            )
        # The other company's integration; the branch uses the head office's.
        integration_other = cls.env["credit.bureau.integration"].create(
            {"name": "Simulado Outro", "provider": "dummy", "company_id": other.id}
        )
        integration_other.action_sync_products()
        integration_other.write(
            {
                "default_restriction_code_id": integration_other.restriction_code_ids.filtered(
                    lambda c: c.code == "TI"
                ).id,
                "default_removal_code_id": integration_other.removal_code_ids.filtered(
                    lambda c: c.code == "01"
                ).id,
            }
        )
        # Integrations no record depends on, one per company (the branch's is its own,
        # not configured yet): those are deleted by the checks.
        Integration = cls.env["credit.bureau.integration"]
        cls.spare_integrations = {
            key: Integration.create({"name": f"Reserva {key}", "company_id": company.id})
            for key, company in cls.companies.items()
        }
        cls.integrations = {
            HEAD: cls.integration,
            BRANCH: cls.spare_integrations[BRANCH],
            OTHER: integration_other,
        }
        used = {HEAD: cls.integration, BRANCH: cls.integration, OTHER: integration_other}
        cls.other_debtor = cls._debtor("Outro Devedor", "390.533.447-05")
        Negativation = cls.env["credit.bureau.negativation"]
        cls.sent, cls.drafts, cls.cancelled, cls.fresh, cls.not_due = {}, {}, {}, {}, {}
        cls.consultations, cls.batches = {}, {}
        documents = {HEAD: "52998224725", BRANCH: "39053344705", OTHER: "11144477735"}
        for key, company in cls.companies.items():
            cls.fresh[key] = cls._invoice(company=company, amount=123.0)
            cls.not_due[key] = cls._invoice(company=company, days_overdue=-5)
            draft_move = cls._invoice(company=company, amount=77.0)
            values = Negativation._bureau_prepare(draft_move, used[key], origin="manual")
            cls.drafts[key] = Negativation.create(dict(values, state="draft", batch_id=False))
            cancelled_move = cls._invoice(company=company, amount=66.0)
            values = Negativation._bureau_prepare(cancelled_move, used[key], origin="manual")
            cls.cancelled[key] = Negativation.create(dict(values, state="draft", batch_id=False))
            cls.cancelled[key].action_cancel()
            cls.batches[key] = cls.env["credit.bureau.negativation.batch"].create(
                {"company_id": company.id}
            )
            sent, _refused = Negativation.with_company(company)._bureau_queue(
                cls._invoice(company=company, amount=99.0), origin="mass", batch=cls.batches[key]
            )
            cls.sent[key] = sent
            wizard = (
                cls.env["credit.bureau.consult.wizard"]
                .with_company(company)
                .create({"document": documents[key], "company_id": company.id})
            )
            cls.consultations[key] = cls.env["credit.bureau.consultation"].browse(
                wizard.action_consult()["res_id"]
            )
        # Per company, a consultation the consult group's user requested, and one of their
        # customer (the partner whose salesperson they are) requested by someone else.
        seller = cls.users[CONSULT]
        Consultation = cls.env["credit.bureau.consultation"]
        cls.own_consultations, cls.customer_consultations = {}, {}
        for key, company in cls.companies.items():
            customer = cls.env["res.partner"].create(
                {"name": f"Cliente {key}", "user_id": seller.id, "company_id": company.id}
            )
            for records, values in (
                (cls.own_consultations, {"user_id": seller.id}),
                (cls.customer_consultations, {"partner_id": customer.id}),
            ):
                records[key] = Consultation.create(
                    dict(
                        values,
                        document=documents[key],
                        document_type="cpf",
                        integration_id=used[key].id,
                        company_id=company.id,
                    )
                )
                records[key]._bureau_run()
        cls.used_integrations = used
        Negativation._cron_send()

    def setUp(self):
        super().setUp()
        self.outcomes = []  # (model, operation, user, company, expected, allowed, detail)

    # ------------------------------------------------------------------ checking
    def _check(self, model, operation, user_key, company_key, function):
        """Run ``function`` as an RPC call of the user would, in a savepoint rolled back
        whatever happens, and record its outcome against ``EXPECTED``."""
        expected = company_key in EXPECTED[model, operation].get(user_key, ())
        allowed, detail = None, ""  # None: neither allowed nor refused, an error
        try:
            # A database error is a finding (listed below), not a log line of the run.
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                function(self.users[user_key])
                self.env.flush_all()
                raise _Allowed
        except _Allowed:
            allowed = True
        except (AccessError, UserError) as error:
            allowed, detail = False, f"{type(error).__name__}: {error.args[0].splitlines()[0]}"
        except Exception as error:  # any other exception is a finding too
            detail = f"{type(error).__name__}: {error}"
        finally:
            self.env.invalidate_all()
        self.outcomes.append((model, operation, user_key, company_key, expected, allowed, detail))

    def _forged_value(self, record, name):
        """A value a forger would write into the field ``name`` of ``record``: different
        from the current one, and valid for the field's type."""
        field = record._fields[name]
        current = record[name]
        if field.type in ("char", "text", "html"):
            return "FORJADO"
        if field.type == "integer":
            return 999
        if field.type in ("float", "monetary"):
            return 54321.0
        if field.type == "boolean":
            return not current
        if field.type == "date":
            return fields.Date.to_string(date(2020, 1, 1))
        if field.type == "datetime":
            return "2020-01-01 00:00:00"
        if field.type == "selection":
            values = field.get_values(self.env)
            return next(value for value in values if value != current)
        if field.type == "many2one":
            return self.env[field.comodel_name].search([("id", "!=", current.id)], limit=1).id
        if field.type in ("one2many", "many2many"):
            return [fields.Command.clear()]
        raise AssertionError(f"No forged value for a field of type {field.type} ({name}).")

    def _operations(self):
        """{(model, operation): function(user, company key)}, as RPC calls."""
        Negativation = self.env["credit.bureau.negativation"]
        Consultation = self.env["credit.bureau.consultation"]
        Integration = self.env["credit.bureau.integration"]
        Batch = self.env["credit.bureau.negativation.batch"]

        def create_negativation(move_key, **extra):
            return lambda user, c: Negativation.with_user(user).create(
                dict({"move_id": getattr(self, move_key)[c].id}, **extra)
            )

        operations = {
            ("negativation", "read"): lambda user, c: self.sent[c]
            .with_user(user)
            .read(["name", "state", "amount", "move_id"]),
            ("negativation", "write the responsible"): lambda user, c: self.sent[c]
            .with_user(user)
            .write({"user_id": user.id}),
            ("negativation", "create from an overdue invoice"): create_negativation("fresh"),
            ("negativation", "create from an invoice not yet due"): create_negativation("not_due"),
            ("negativation", "create with a forged amount"): create_negativation(
                "fresh", amount=54321.0
            ),
            ("negativation", "create with a forged debtor"): create_negativation(
                "fresh", partner_id=self.other_debtor.id
            ),
            ("negativation", "unlink a draft"): lambda user, c: self.drafts[c]
            .with_user(user)
            .unlink(),
            ("negativation", "unlink one cancelled before sending"): lambda user, c: (
                self.cancelled[c].with_user(user).unlink()
            ),
            ("negativation", "unlink a sent one"): lambda user, c: self.sent[c]
            .with_user(user)
            .unlink(),
            ("consultation", "read"): lambda user, c: self.consultations[c]
            .with_user(user)
            .read(["name", "state", "score", "line_ids"]),
            ("consultation", "read one they requested"): lambda user, c: self.own_consultations[c]
            .with_user(user)
            .read(["name", "state", "score", "line_ids"]),
            ("consultation", "read one of a customer of theirs"): lambda user, c: (
                self.customer_consultations[c]
                .with_user(user)
                .read(["name", "state", "score", "line_ids"])
            ),
            ("consultation", "write"): lambda user, c: self.consultations[c]
            .with_user(user)
            .write({"reason": "Outra finalidade"}),
            ("consultation", "create"): lambda user, c: Consultation.with_user(user).create(
                {
                    "document": "52998224725",
                    "integration_id": self.used_integrations[c].id,
                    "company_id": self.companies[c].id,
                }
            ),
            ("consultation", "unlink"): lambda user, c: self.consultations[c]
            .with_user(user)
            .unlink(),
            ("integration", "read"): lambda user, c: self.integrations[c]
            .with_user(user)
            .read(["name", "min_amount", "company_id"]),
            ("integration", "write"): lambda user, c: self.integrations[c]
            .with_user(user)
            .write({"min_amount": 12.0}),
            ("integration", "create"): lambda user, c: Integration.with_user(user).create(
                {"name": "Nova integração", "company_id": self.companies[c].id}
            ),
            ("integration", "unlink"): lambda user, c: self.spare_integrations[c]
            .with_user(user)
            .unlink(),
            ("batch", "read"): lambda user, c: self.batches[c]
            .with_user(user)
            .read(["name", "state", "refused_summary"]),
            ("batch", "write"): lambda user, c: self.batches[c]
            .with_user(user)
            .write({"refused_summary": "Nada recusado"}),
            ("batch", "create"): lambda user, c: Batch.with_user(user).create(
                {"company_id": self.companies[c].id}
            ),
            ("batch", "unlink"): lambda user, c: self.batches[c].with_user(user).unlink(),
        }
        for model, records, names in (
            ("negativation", self.sent, NEGATIVATION_PROTECTED),
            ("consultation", self.consultations, CONSULTATION_PROTECTED),
        ):
            for name in names:
                operations[model, f"write {name}"] = (
                    lambda user, c, records=records, name=name: records[c]
                    .with_user(user)
                    .write({name: self._forged_value(records[c], name)})
                )
        return operations

    def test_access_matrix(self):
        # The records the checks work on are what they should be.
        for key in COMPANIES:
            self.assertEqual(self.sent[key].state, "pending", key)
            self.assertEqual(self.drafts[key].state, "draft", key)
            self.assertEqual(self.cancelled[key].state, "cancelled", key)
            self.assertEqual(self.consultations[key].state, "done", key)
            self.assertEqual(self.own_consultations[key].state, "done", key)
            self.assertEqual(self.customer_consultations[key].state, "done", key)
            self.assertNotEqual(self.consultations[key].user_id, self.users[CONSULT], key)
            self.assertEqual(self.batches[key].negativation_ids, self.sent[key], key)
        self.assertEqual(self.sent[BRANCH].integration_id, self.integration)
        self.assertLessEqual(ISSUE_NEGATIVATION_PROTECTED, NEGATIVATION_PROTECTED)
        operations = self._operations()
        self.assertEqual(set(operations), set(EXPECTED))
        for (model, operation), function in sorted(operations.items()):
            for user_key in USERS:
                for company_key in COMPANIES:
                    self._check(
                        model,
                        operation,
                        user_key,
                        company_key,
                        lambda user, f=function, c=company_key: f(user, c),
                    )
        allowed = [o for o in self.outcomes if o[4] and o[5]]
        refused = [o for o in self.outcomes if not o[4] and o[5] is False]
        unexpected = [o for o in self.outcomes if o[5] is None or o[4] != o[5]]
        _logger.info(
            "access matrix: %s checks, %s allowed as expected, %s refused as expected, "
            "%s unexpected",
            len(self.outcomes),
            len(allowed),
            len(refused),
            len(unexpected),
        )
        self.assertEqual(len(self.outcomes), len(EXPECTED) * len(USERS) * len(COMPANIES))
        if unexpected:
            lines = [
                f"{'ERROR' if was is None else 'allowed' if was else 'refused'} "
                f"(expected {'allowed' if expected else 'refused'}): {user} {operation} "
                f"[{model}] of the {company}" + (f" — {detail}" if detail else "")
                for model, operation, user, company, expected, was, detail in unexpected
            ]
            self.fail(f"{len(unexpected)} unexpected outcome(s):\n" + "\n".join(lines))

    def test_products_and_codes_are_changed_by_their_own_company_only(self):
        """Products and codes follow their integration: a branch uses its head office's,
        only the administrators of the head office change them."""
        product = self.integration.product_ids[:1]
        code = self.integration.restriction_code_ids[:1]
        self.assertTrue(product and code)
        branch_admin, admin = self.users[BRANCH_ADMIN], self.users[ADMIN]
        # The branch uses them ...
        self.assertEqual(product.with_user(branch_admin).read(["code"])[0]["code"], product.code)
        self.assertEqual(code.with_user(branch_admin).read(["code"])[0]["code"], code.code)
        # ... and changes, adds or deletes none of them.
        for records, values in ((product, {"price": 0.01}), (code, {"name": "Forjado"})):
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                records.with_user(branch_admin).write(values)
            with self.assertRaises(AccessError), self.env.cr.savepoint():
                records.with_user(branch_admin).unlink()
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["credit.bureau.product"].with_user(branch_admin).create(
                {"integration_id": self.integration.id, "code": "NOVO", "name": "Novo"}
            )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.env["credit.bureau.code"].with_user(branch_admin).create(
                {
                    "integration_id": self.integration.id,
                    "code": "ZZ",
                    "name": "Novo",
                    "kind": "restriction",
                }
            )
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            self.integration.with_user(branch_admin).action_sync_products()
        # The head office's administrator does.
        product.with_user(admin).write({"price": 5.5})
        code.with_user(admin).write({"name": "Serviços de internet"})
        self.assertEqual((product.price, code.name), (5.5, "Serviços de internet"))
        self.env["credit.bureau.product"].with_user(admin).create(
            {"integration_id": self.integration.id, "code": "NOVO", "name": "Novo"}
        )


@tagged("post_install", "-at_install")
class TestNegativationGroupReads(NegativationCommon):
    """The negativation group works from the customer and the invoice without invoicing
    rights: it reads the invoices it negativates (their lines, journal and payments), and
    nothing more."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="negativation_only",
            groups="base.group_user,l10n_br_credit_bureau.group_negativation",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )

    def test_from_the_customer_the_invoice_and_the_mass_wizard(self):
        user = self.user
        moves = self._invoice() | self._invoice(amount=200)
        # The customer's form, and its "Negativate overdue invoices" button.
        with Form(self.debtor.with_user(user)) as partner_form:
            self.assertEqual(partner_form.name, self.debtor.name)
        action = self.debtor.with_user(user).action_credit_negativate()
        wizard_form = Form(
            self.env[action["res_model"]].with_user(user).with_context(**action["context"])
        )
        self.assertEqual(len(wizard_form.line_ids), 2)
        wizard = wizard_form.save()
        self.assertEqual((wizard.ok_count, wizard.blocked_count), (2, 0))
        result = wizard.action_negativate()
        negativations = self.env["credit.bureau.negativation"].search(result["domain"])
        self.assertEqual(negativations.move_id, moves)
        # The negativation's form with its invoice, and the invoice's form.
        negativation = negativations[0].with_user(user)
        negativation_form = Form(negativation)
        self.assertEqual(negativation_form.move_id, negativation.move_id)
        self.assertTrue(negativation.move_id.display_name)
        invoice_form = Form(negativation.move_id)
        self.assertEqual(invoice_form.partner_id, self.debtor)
        self.assertEqual(invoice_form.credit_negativation_id, negativation)
        # The invoice's "Negativate" button, on another invoice.
        move = self._invoice(amount=300).with_user(user)
        action = move.action_credit_negativate()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"], active_model="account.move", active_ids=move.ids)
        ).save()
        self.assertEqual(wizard.ok_count, 1)
        wizard.action_negativate()
        self.assertEqual(move.credit_negativation_id.state, "sending")
        # The mass wizard, from the menu, with its filter; then the batch it creates.
        self._invoice(partner=self._debtor("Cliente Massa", "390.533.447-05"), amount=400)
        mass_form = Form(self.env["credit.bureau.mass.negativate.wizard"].with_user(user))
        mass_form.days_overdue = 10
        mass = mass_form.save()
        mass.action_apply_filter()
        ready = mass.line_ids.filtered(lambda line: not line.blocked).move_id
        self.assertEqual((mass.ok_count, ready.mapped("amount_total")), (1, [400]))
        batch = self.env["credit.bureau.negativation.batch"].browse(
            mass.action_negativate()["res_id"]
        )
        self.assertEqual(batch.with_user(user).user_id, user)
        Form(batch.with_user(user))
        # Reading is all: no invoice is changed nor created with these rights.
        with self.assertRaises(AccessError):
            move.write({"ref": "Alterada"})
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(user).create(
                {"move_type": "out_invoice", "partner_id": self.debtor.id}
            )
        with self.assertRaises(AccessError):
            move.line_ids[:1].write({"name": "Alterada"})

"""Fill the demo database: a Brazilian internet provider with two branches, customers, CRM and
invoices (some overdue, one older than five years, some paid).

    .local/venv/bin/python setup/demo_data.py -c .local/odoo-<checksum>.conf -d credit_bureau_demo

Everything is created in one transaction, and only once: the `credit_bureau_demo.loaded`
system parameter marks a database that already holds the data, and a second run does nothing.
"""

import argparse
import sys
import unicodedata
import warnings
from datetime import date, timedelta

from stdnum.br import cnpj as stdnum_cnpj
from stdnum.br import cpf as stdnum_cpf

from odoo.api import SUPERUSER_ID, Environment
from odoo.fields import Command
from odoo.modules.registry import Registry
from odoo.tools import config

MARKER = "credit_bureau_demo.loaded"

# ------------------------------------------------------------------------- documents


def cpf(base9):
    """The CPF with check digits for a 9-digit base, formatted 000.000.000-00."""
    digits = [int(c) for c in base9]
    assert len(digits) == 9 and len(set(digits)) > 1, base9
    for weight in (10, 11):
        total = sum(d * w for d, w in zip(digits, range(weight, 1, -1), strict=False))
        digits.append((total * 10) % 11 % 10)
    s = "".join(map(str, digits))
    return f"{s[:3]}.{s[3:6]}.{s[6:9]}-{s[9:]}"


def cnpj(base12):
    """The CNPJ with check digits for a 12-character base (digits, or the alphanumeric CNPJ
    of July 2026: A-Z allowed in the first 12 positions, each worth ord(c) - 48)."""
    values = [ord(c) - 48 for c in base12.upper()]
    assert len(values) == 12 and len(set(values)) > 1, base12
    for weights in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        total = sum(v * w for v, w in zip(values, weights, strict=True))
        values.append((11 - total % 11) % 11 % 10)
    s = base12.upper() + "".join(map(str, values[12:]))
    return f"{s[:2]}.{s[2:5]}.{s[5:8]}/{s[8:12]}-{s[12:]}"


# ------------------------------------------------------------------------- the data

COMPANY = {
    "name": "Veloz Fibra Telecomunicações Ltda",
    "vat": cnpj("417382050001"),
    "street_name": "Rua Barão de Jaguara",
    "street_number": "1200",
    "street2": "Centro",
    "zip": "13015-002",
    "city": "Campinas",
    "state": "SP",
    "phone": "+55 19 3232-4500",
    "email": "contato@velozfibra.example.com",
    "website": "https://velozfibra.example.com",
}
BRANCHES = [
    {
        "name": "Veloz Fibra - Filial Belo Horizonte",
        "vat": cnpj("417382050002"),
        "street_name": "Avenida Afonso Pena",
        "street_number": "3500",
        "street2": "Funcionários",
        "zip": "30130-009",
        "city": "Belo Horizonte",
        "state": "MG",
        "phone": "+55 31 3224-8800",
        "email": "bh@velozfibra.example.com",
    },
    {
        "name": "Veloz Fibra - Filial Curitiba",
        "vat": cnpj("417382050003"),
        "street_name": "Rua XV de Novembro",
        "street_number": "700",
        "street2": "Centro",
        "zip": "80020-310",
        "city": "Curitiba",
        "state": "PR",
        "phone": "+55 41 3322-7100",
        "email": "curitiba@velozfibra.example.com",
    },
]

# branch: None = head office, 0 / 1 = BRANCHES[i]
# fmt: off
CUSTOMERS = [
    # persons (CPF)
    ("Ana Beatriz Souza", cpf("503817264"), "Rua Coronel Quirino", "1480", "Cambuí",
     "13025-002", "Campinas", "SP", None),
    ("Bruno Henrique Almeida", cpf("204657831"), "Avenida Paulista", "1578", "Bela Vista",
     "01310-200", "São Paulo", "SP", None),
    ("Carla Regina Ferreira", cpf("390533447"), "Rua Doutor Quirino", "925", "Centro",
     "13015-081", "Campinas", "SP", None),
    ("Daniel Costa Ribeiro", cpf("241638095"), "Rua José Paulino", "1050", "Centro",
     "13013-001", "Campinas", "SP", None),
    ("Eduarda Lima Martins", cpf("862147350"), "Avenida Norte-Sul", "300", "Jardim Chapadão",
     "13070-057", "Campinas", "SP", None),
    ("Fernando Augusto Rocha", cpf("735921468"), "Rua da Bahia", "1148", "Centro",
     "30160-011", "Belo Horizonte", "MG", 0),
    ("Gabriela Nunes Teixeira", cpf("418265793"), "Rua Pernambuco", "353", "Savassi",
     "30130-150", "Belo Horizonte", "MG", 0),
    ("Heitor Cardoso Pires", cpf("654318972"), "Avenida Sete de Setembro", "2775", "Rebouças",
     "80230-010", "Curitiba", "PR", 1),
    ("Isabela Moreira Campos", cpf("927485136"), "Rua Marechal Deodoro", "500", "Centro",
     "80010-010", "Curitiba", "PR", 1),
    ("João Pedro Barbosa", cpf("315792864"), "Rua Voluntários da Pátria", "190", "Botafogo",
     "22270-010", "Rio de Janeiro", "RJ", None),
    ("Larissa Gomes Duarte", cpf("583172649"), "Rua Barata Ribeiro", "370", "Copacabana",
     "22040-002", "Rio de Janeiro", "RJ", None),
    ("Marcelo Vieira Santos", cpf("146827395"), "Avenida Brasil", "2100", "Jardim Guanabara",
     "13073-001", "Campinas", "SP", None),
    # persons: the incomplete address (no number, no CEP)
    ("Natália Freitas Oliveira", cpf("762439185"), "Rua das Palmeiras", "", "Vila Nova",
     "", "Campinas", "SP", None),
    # companies (CNPJ)
    ("Padaria Pão Dourado Ltda", cnpj("193746280001"), "Rua Conceição", "233", "Centro",
     "13010-050", "Campinas", "SP", None),
    ("Mercado Bom Preço Eireli", cnpj("274816350001"), "Avenida Amazonas", "1830", "Centro",
     "30180-001", "Belo Horizonte", "MG", 0),
    ("Clínica Sorriso Odontologia Ltda", cnpj("398174620001"), "Rua Augusta", "1508", "Consolação",
     "01304-001", "São Paulo", "SP", None),
    ("Oficina Mecânica Dois Irmãos Ltda", cnpj("580316940001"), "Rua Emiliano Perneta", "410",
     "Centro", "80420-080", "Curitiba", "PR", 1),
    ("Escola Aprender Mais S.A.", cnpj("631948270001"), "Rua Sergipe", "1167", "Savassi",
     "30130-171", "Belo Horizonte", "MG", 0),
    ("Construtora Horizonte Azul Ltda", cnpj("745209380001"), "Avenida Rio Branco", "156", "Centro",
     "20040-901", "Rio de Janeiro", "RJ", None),
    # the alphanumeric CNPJ (valid from July 2026)
    ("Nuvem Digital Serviços de TI Ltda", cnpj("7Q2RT9K50001"), "Avenida Francisco Glicério",
     "1040", "Centro", "13012-100", "Campinas", "SP", None),
]
# fmt: on

# (customer index or contact dict, type, title, expected revenue, probability)
LEADS = [
    (13, "opportunity", "Link dedicado 500 Mb - Padaria Pão Dourado", 1890.0, 60),
    (16, "opportunity", "Plano empresarial 1 Gb + IP fixo", 4200.0, 30),
    (1, "opportunity", "Upgrade para 1 Gb residencial", 1199.0, 80),
    (None, "lead", "Interesse em fibra para condomínio", 0.0, 10),
    (None, "lead", "Pedido de orçamento - coworking", 0.0, 10),
    (None, "opportunity", "Wi-Fi para evento corporativo", 3500.0, 20),
]
LEAD_CONTACTS = [
    {
        "contact_name": "Rafael Tavares",
        "partner_name": "Condomínio Residencial Jardim das Flores",
        "email_from": "sindico.jardimdasflores@example.com",
        "phone": "+55 19 99812-3344",
    },
    {
        "contact_name": "Patrícia Mendes",
        "partner_name": "Coworking Espaço Criativo",
        "email_from": "patricia@espacocriativo.example.com",
        "phone": "+55 11 98765-1020",
    },
    {
        "contact_name": "Sérgio Lopes",
        "partner_name": "Lopes Eventos",
        "email_from": "sergio@lopeseventos.example.com",
        "phone": "+55 31 99123-4567",
    },
]

# (customer index, days since the due date (negative: due in the future), amount, paid)
# paid: None = open, "full" = paid, a number = partly paid with that amount.
INVOICES = [
    (0, -20, 119.90, None),
    (1, -10, 199.90, None),
    (13, -25, 1890.00, None),
    (2, 10, 99.90, None),
    (3, 10, 149.90, None),
    (5, 10, 119.90, None),
    (14, 10, 890.00, None),
    (4, 40, 129.90, None),
    (7, 40, 99.90, None),
    (16, 40, 1250.00, None),
    (9, 400, 349.70, None),
    (17, 400, 2980.00, None),
    (12, 400, 239.80, None),
    (18, 2000, 5400.00, None),
    (10, 35, 119.90, "full"),
    (6, 15, 99.90, "full"),
    (19, 40, 3600.00, 1500.00),
]


# ------------------------------------------------------------------------- loading


def address(env, street_name, number, district, zip_code, city, state_code):
    brazil = env.ref("base.br")
    state = env["res.country.state"].search(
        [("country_id", "=", brazil.id), ("code", "=", state_code)], limit=1
    )
    vals = {
        "country_id": brazil.id,
        "state_id": state.id,
        "street_name": street_name,
        "street_number": number or False,
        "street2": district,
        "zip": zip_code or False,
        "city": city,
    }
    if "city_id" in env["res.partner"]._fields:
        city_rec = env["res.city"].search(
            [("country_id", "=", brazil.id), ("state_id", "=", state.id), ("name", "=", city)],
            limit=1,
        )
        if city_rec:
            vals["city_id"] = city_rec.id
    return vals


def setup_company(env):
    brl = env.ref("base.BRL")
    brl.active = True
    company = env.ref("base.main_company")
    cnpj_type = env.ref("l10n_br.cnpj")
    # partner_autocomplete would ask Odoo's online service about each company (at creation,
    # or at the first login): the demo companies are fictitious, so mark them as done.
    no_enrich = {"iap_enrich_auto_done": True} if "iap_enrich_auto_done" in company else {}
    c = COMPANY
    company.partner_id.write(
        {
            "name": c["name"],
            "is_company": True,
            "lang": "pt_BR",
            "l10n_latam_identification_type_id": cnpj_type.id,
            "vat": c["vat"],
            "phone": c["phone"],
            "email": c["email"],
            "website": c["website"],
            **address(
                env,
                c["street_name"],
                c["street_number"],
                c["street2"],
                c["zip"],
                c["city"],
                c["state"],
            ),
        }
    )
    company.write(
        {
            "name": c["name"],
            "currency_id": brl.id,
            "country_id": env.ref("base.br").id,
            **no_enrich,
        }
    )
    env["account.chart.template"].try_loading("br", company, install_demo=False)
    company = env["res.company"].browse(company.id)

    branches = env["res.company"]
    for b in BRANCHES:
        branch = env["res.company"].create(
            {
                "name": b["name"],
                "parent_id": company.id,
                **no_enrich,
                "country_id": env.ref("base.br").id,
                "currency_id": brl.id,
                "phone": b["phone"],
                "email": b["email"],
            }
        )
        branch.partner_id.write(
            {
                "is_company": True,
                "lang": "pt_BR",
                "l10n_latam_identification_type_id": cnpj_type.id,
                "vat": b["vat"],
                **address(
                    env,
                    b["street_name"],
                    b["street_number"],
                    b["street2"],
                    b["zip"],
                    b["city"],
                    b["state"],
                ),
            }
        )
        branches |= branch
    # Creating a branch schedules its chart of accounts for the commit: load it now, so that
    # the branch's invoices below find their accounts and journals.
    env.flush_all()
    env.cr.precommit.run()
    return env["res.company"].browse(company.id), env["res.company"].browse(branches.ids)


def setup_admin(env, company, branches):
    admin = env.ref("base.user_admin")
    groups = env["res.groups"]
    for xmlid in (
        "account.group_account_manager",
        "account.group_account_user",
        "sales_team.group_sale_manager",
        "base.group_multi_company",
    ):
        groups |= env.ref(xmlid, raise_if_not_found=False) or env["res.groups"]
    admin.write(
        {
            "lang": "pt_BR",
            "tz": "America/Sao_Paulo",
            "company_id": company.id,
            "company_ids": [Command.link(c.id) for c in company | branches],
            "group_ids": [Command.link(g.id) for g in groups],
        }
    )
    admin.partner_id.write({"name": "Administrador", "email": "admin@velozfibra.example.com"})
    return admin


def create_customers(env, company, branches):
    cpf_type, cnpj_type = env.ref("l10n_br.cpf"), env.ref("l10n_br.cnpj")
    partners = env["res.partner"]
    for name, doc, street, number, district, zip_code, city, state, branch in CUSTOMERS:
        is_company = "/" in doc
        is_valid = stdnum_cnpj.is_valid if is_company else stdnum_cpf.is_valid
        assert is_valid(doc), f"invalid document {doc} for {name}"
        slug = unicodedata.normalize("NFKD", name.split()[0].lower()).encode("ascii", "ignore")
        ddd = {"SP": "19", "MG": "31", "PR": "41", "RJ": "21"}[state]
        seq = len(partners)
        partners |= env["res.partner"].create(
            {
                "name": name,
                "is_company": is_company,
                "company_type": "company" if is_company else "person",
                "l10n_latam_identification_type_id": (cnpj_type if is_company else cpf_type).id,
                "vat": doc,
                "email": f"{slug.decode()}{seq:02d}@example.com",
                "phone": f"+55 {ddd} 9{8100 + seq * 37:04d}-{1000 + seq * 211:04d}",
                "company_id": branches[branch].id if branch is not None else False,
                "customer_rank": 1,
                **address(env, street, number, district, zip_code, city, state),
            }
        )
    return partners


def create_leads(env, partners):
    leads = env["crm.lead"]
    contacts = iter(LEAD_CONTACTS)
    for index, lead_type, title, revenue, probability in LEADS:
        vals = {
            "name": title,
            "type": lead_type,
            "expected_revenue": revenue,
            "probability": probability,
        }
        if index is None:
            vals.update(next(contacts))
        else:
            partner = partners[index]
            vals["partner_id"] = partner.id
            if partner.company_id:
                vals["company_id"] = partner.company_id.id
        leads |= env["crm.lead"].create(vals)
    return leads


def create_invoices(env, company, branches, partners):
    today = date.today()
    moves = env["account.move"]
    # Oldest first, so that the invoice numbers follow the dates.
    for index, overdue_days, amount, paid in sorted(INVOICES, key=lambda i: -i[1]):
        partner = partners[index]
        inv_company = partner.company_id or company
        due = today - timedelta(days=overdue_days)
        invoice_date = due - timedelta(days=30)
        Move = env["account.move"].with_company(inv_company)
        journal = env["account.journal"].search(
            [
                *env["account.journal"]._check_company_domain(inv_company),
                ("type", "=", "sale"),
            ],
            limit=1,
        )
        income = journal.default_account_id or inv_company.income_account_id
        move = Move.create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "company_id": inv_company.id,
                "journal_id": journal.id,
                "currency_id": env.ref("base.BRL").id,
                "invoice_date": invoice_date,
                "invoice_date_due": due,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Plano de internet fibra - mensalidade"
                            if amount < 500
                            else "Link dedicado e serviços de rede",
                            "quantity": 1,
                            "price_unit": amount,
                            "account_id": income.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )
        move.action_post()
        if paid:
            amount_paid = move.amount_residual if paid == "full" else paid
            env["account.payment.register"].with_company(inv_company).with_context(
                active_model="account.move", active_ids=move.ids
            ).create(
                {
                    "payment_date": min(today, due + timedelta(days=5)),
                    "amount": amount_paid,
                    "payment_difference_handling": "open",
                }
            )._create_payments()
        moves |= move
    return moves


def load(env):
    company, branches = setup_company(env)
    admin = setup_admin(env, company, branches)
    partners = create_customers(env, company, branches)
    leads = create_leads(env, partners)
    invoices = create_invoices(env, company, branches, partners)
    env["ir.config_parameter"].set_param(MARKER, date.today().isoformat())
    env.flush_all()

    today = date.today()
    overdue = invoices.filtered(lambda m: m.amount_residual and m.invoice_date_due < today)
    print(f"Demo data loaded into {env.cr.dbname}:")
    print(f"  company   {company.name} ({company.vat}), chart {company.chart_template}")
    for branch in branches:
        print(f"  branch    {branch.name} ({branch.partner_id.vat}, {branch.partner_id.city})")
    print(f"  admin     lang {admin.lang}, tz {admin.tz}, companies {len(admin.company_ids)}")
    print(
        f"  customers {len(partners)} "
        f"({len(partners.filtered('is_company'))} companies, "
        f"{len(partners.filtered(lambda p: not p.is_company))} persons)"
    )
    print(f"  CRM       {len(leads)} leads/opportunities")
    states = ", ".join(
        f"{len(group)} {state}" for state, group in invoices.grouped("payment_state").items()
    )
    print(f"  invoices  {len(invoices)} posted ({states}); {len(overdue)} overdue")


# Which company each provider's demo integration belongs to (0 the head office, 1 and 2 its
# branches).
DEMO_INTEGRATION_COMPANY = {
    "connect_sa": 0,
    "soa_webservices": 1,
    "credito_na_medida": 0,
    "spc_brasil": 2,
}


def ensure_integrations(env):
    """One demo integration per installed provider, pointing at its simulator (idempotent:
    also run on an existing demo database, so that a newly installed provider gets one)."""
    Integration = env["credit.bureau.integration"].with_context(active_test=False)
    head_office = env.company.root_id
    companies = head_office | head_office.child_ids.sorted("id")
    codes = [
        code
        for code, _label in Integration._fields["provider"].selection
        if code not in ("none", "dummy")
    ]
    for code in codes:
        if Integration.search_count([("provider", "=", code)]):
            continue
        values = Integration._bureau_demo_values(code)
        if not values:
            continue
        company = companies[min(DEMO_INTEGRATION_COMPANY.get(code, 0), len(companies) - 1)]
        integration = Integration.create(dict(values, company_id=company.id))
        try:
            with env.cr.savepoint():
                integration.action_sync_products()
                integration.action_test_connection()
        except Exception as error:  # the demo goes on without the catalog
            print(f"  integration {integration.name}: synchronisation failed ({error})")
        print(f"  integration {integration.name} ({code}) for {company.name}")
    # The natureza and the removal code an internet provider uses (rules.md: TI, 01), where
    # the synchronised catalog has them and the provider did not choose a default.
    for integration in Integration.search([("provider", "not in", ("none", "dummy"))]):
        for field, codes, code in (
            ("default_restriction_code_id", integration.restriction_code_ids, "TI"),
            ("default_removal_code_id", integration.removal_code_ids, "01"),
        ):
            usual = codes.filtered(lambda c, code=code: c.code == code)[:1]
            if not integration[field] and codes:
                integration[field] = usual or codes[:1]


# The demo's credit-control policy (OCA account_credit_control with our bridge): (name, days
# after the due date, channel, text). Its last level negativates.
CREDIT_CONTROL_POLICY = "Régua de cobrança"
CREDIT_CONTROL_LEVELS = [
    (
        "Lembrete por e-mail",
        5,
        "email",
        "Não identificamos o pagamento da fatura abaixo. Se já pagou, desconsidere.",
    ),
    (
        "Carta de cobrança",
        15,
        "letter",
        "A fatura abaixo continua em aberto. Regularize em até 10 dias para evitar a "
        "negativação do seu nome ou CNPJ.",
    ),
    ("Negativar", 30, "negativate", "Fatura enviada para negativação no birô de crédito."),
]
# The reminders already done before the demo day (days before today): a run computed today
# then brings the invoices overdue by 30 days or more to the level Negativar.
CREDIT_CONTROL_PAST_RUNS = (25, 10)


def ensure_credit_control(env):
    """The policy "Régua de cobrança" (e-mail, letter, Negativar) for the head office and its
    branches, with the two earlier runs whose reminders count as done (idempotent: only
    when the credit-control bridge is installed and the policy is not there yet)."""
    Level = "credit.control.policy.level"
    if Level not in env or "credit_bureau_auto_send" not in env[Level]._fields:
        return
    Policy = env["credit.control.policy"].with_context(active_test=False)
    if Policy.search_count([("name", "=", CREDIT_CONTROL_POLICY)]):
        return
    head_office = env.company.root_id
    companies = head_office | head_office.child_ids.sorted("id")
    receivable = env["account.account"].search(
        [
            *env["account.account"]._check_company_domain(head_office),
            ("account_type", "=", "asset_receivable"),
        ]
    )
    template = env.ref("account_credit_control.email_template_credit_control_base")
    policy = Policy.create(
        {
            "name": CREDIT_CONTROL_POLICY,
            "account_ids": [Command.set(receivable.ids)],
            "level_ids": [
                Command.create(
                    {
                        "name": name,
                        "level": number,
                        "computation_mode": "net_days",
                        "delay_days": days,
                        "channel": channel,
                        "email_template_id": template.id,
                        "custom_text": text,
                        "custom_mail_text": f"<p>{text}</p>",
                        "mail_show_invoice_detail": channel == "email",
                    }
                )
                for number, (name, days, channel, text) in enumerate(CREDIT_CONTROL_LEVELS, start=1)
            ],
        }
    )
    companies.write({"credit_policy_id": policy.id})
    today = date.today()
    Run = env["credit.control.run"]
    for days_before in CREDIT_CONTROL_PAST_RUNS:
        run_date = today - timedelta(days=days_before)
        for company in companies:
            run = Run.with_company(company).create(
                {
                    "date": run_date,
                    "company_id": company.id,
                    "policy_ids": [Command.set(policy.ids)],
                }
            )
            run.generate_credit_lines()
            run.line_ids.write({"state": "sent", "date_sent": run_date})
            # OCA's level query reads the lines in SQL: the next run must see them done.
            env.flush_all()
    print(f"  credit control: policy {policy.name} ({', '.join(policy.level_ids.mapped('name'))})")


# The credit decision (issue 17): the default policy shipped with the core, with its blocks
# switched on, and three customers of the head office consulted once (connect_sa's
# simulator decides by the last digit of the document, our overdue invoices count too) —
# one per decision — the rejected one from an opportunity, which cannot be won.
DECISIONS_MARKER = "credit_bureau_demo.decisions"
DEMO_DECISIONS = [
    # (customer, opportunity or None, expected decision)
    ("Ana Beatriz Souza", None, "approved"),  # nada consta, no overdue invoice
    ("Carla Regina Ferreira", None, "review"),  # an invoice of ours overdue for 10 days
    ("Marcelo Vieira Santos", "Plano 1 Gb residencial - Marcelo", "rejected"),  # cheques
]


def ensure_credit_decisions(env):
    """Once per database: the policy's blocks on, and the demo decisions (consulted through
    the wizard, at the simulators; nothing is charged in homologation)."""
    params = env["ir.config_parameter"]
    policy = env.ref("l10n_br_credit_bureau.credit_policy_isp", raise_if_not_found=False)
    if params.get_param(DECISIONS_MARKER) or not policy:
        return
    policy.write({"block_sale": True, "block_won": True, "update_credit_limit": True})
    head_office = env.company.root_id
    for name, opportunity, expected in DEMO_DECISIONS:
        partner = env["res.partner"].search([("name", "=", name)], limit=1)
        if not partner:
            continue
        lead = env["crm.lead"]
        if opportunity:
            lead = env["crm.lead"].create(
                {
                    "name": opportunity,
                    "type": "opportunity",
                    "partner_id": partner.id,
                    "expected_revenue": 1199.0,
                    "probability": 50,
                }
            )
        try:
            with env.cr.savepoint():
                wizard = env["credit.bureau.consult.wizard"].create(
                    {
                        "document": partner.vat,
                        "partner_id": partner.id,
                        "lead_id": lead.id,
                        "company_id": (partner.company_id or head_office).id,
                        "reason": "Demonstração: contratação de plano de internet",
                    }
                )
                consultation = env["credit.bureau.consultation"].browse(
                    wizard.action_consult()["res_id"]
                )
        except Exception as error:  # the demo goes on without this decision
            print(f"  decision {name}: consultation failed ({error})")
            continue
        got = consultation.decision or consultation.state
        note = "" if got == expected else f" (expected {expected})"
        print(f"  decision  {name}: {got}{note}")
    params.set_param(DECISIONS_MARKER, date.today().isoformat())


def ensure_document_layout(env):
    """Every demo company gets Odoo's standard document layout, so that printing an
    invoice does not open "Configurar o layout" first (idempotent, run on an existing demo
    database too). Our own reports do not depend on it: they have their own layout."""
    layout = env.ref("web.external_layout_standard", raise_if_not_found=False)
    if layout:
        env["res.company"].search([("external_report_layout_id", "=", False)]).write(
            {"external_report_layout_id": layout.id}
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("-d", "--database", required=True)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    # Odoo 19 on Werkzeug 2.3 warns (with a stack) about deprecated URL helpers: noise here.
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = Environment(cr, SUPERUSER_ID, {})
        loaded = env["ir.config_parameter"].get_param(MARKER)
        if loaded:
            print(f"Demo data already in {args.database} (loaded {loaded}).")
        else:
            load(env)
        ensure_document_layout(env)
        ensure_integrations(env)
        ensure_credit_control(env)
        ensure_credit_decisions(env)
    return 0


if __name__ == "__main__":
    sys.exit(main())

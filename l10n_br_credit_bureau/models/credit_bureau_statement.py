from odoo import fields, models
from odoo.tools import SQL


class CreditBureauStatement(models.Model):
    """The monthly statement of an integration: consultations, inclusions and removals with
    their counts and cost, by branch and user, for the finance team to reconcile with the
    distributor's invoice (a pivot, a list, Odoo's spreadsheet export).

    A consultation counts in the month it was made, at the cost it recorded. An inclusion
    counts in the month it was sent, a removal in the month the provider confirmed it; their
    cost is the price of the integration's inclusion/removal product in production (nothing
    in homologação), the price the provider charges per operation."""

    _name = "credit.bureau.statement"
    _description = "Credit bureau statement"
    _auto = False
    _order = "month desc, integration_id, operation"
    # What the query reads: flushed before each search.
    _depends = {
        "credit.bureau.consultation": [
            "date",
            "integration_id",
            "company_id",
            "user_id",
            "state",
            "cost",
        ],
        "credit.bureau.negativation": [
            "sent_date",
            "removed_date",
            "integration_id",
            "company_id",
            "user_id",
        ],
        "credit.bureau.integration": ["environment"],
        "credit.bureau.product": ["integration_id", "kind", "active", "price"],
        "res.company": ["currency_id"],
    }

    month = fields.Date(readonly=True)
    integration_id = fields.Many2one("credit.bureau.integration", readonly=True)
    provider = fields.Selection(related="integration_id.provider")
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    user_id = fields.Many2one("res.users", string="User", readonly=True)
    operation = fields.Selection(
        [("consultation", "Consultation"), ("inclusion", "Inclusion"), ("removal", "Removal")],
        readonly=True,
    )
    count = fields.Integer(string="Quantity", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    cost = fields.Monetary(readonly=True)

    def _bureau_operation_price(self, kind):
        """The price of the integration's active product of ``kind`` (inclusao/baixa) in
        production, nothing in homologação: one row per integration."""
        return SQL(
            """
            LEFT JOIN LATERAL (
                SELECT p.price FROM credit_bureau_product p
                 WHERE p.integration_id = i.id AND p.kind = %s AND p.active
                 ORDER BY p.id LIMIT 1
            ) price ON i.environment = 'producao'
            """,
            kind,
        )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT row_number() OVER () AS id, s.*
              FROM (
                SELECT date_trunc('month', c.date)::date AS month, c.integration_id,
                       c.company_id, c.user_id, 'consultation' AS operation,
                       count(*) AS count, co.currency_id, sum(c.cost) AS cost
                  FROM credit_bureau_consultation c
                  JOIN res_company co ON co.id = c.company_id
                 WHERE c.state = 'done'
                 GROUP BY 1, 2, 3, 4, 7
                UNION ALL
                SELECT date_trunc('month', n.sent_date)::date, n.integration_id, n.company_id,
                       n.user_id, 'inclusion', count(*), co.currency_id,
                       count(*) * coalesce(max(price.price), 0)
                  FROM credit_bureau_negativation n
                  JOIN res_company co ON co.id = n.company_id
                  JOIN credit_bureau_integration i ON i.id = n.integration_id
                  %s
                 WHERE n.sent_date IS NOT NULL
                 GROUP BY 1, 2, 3, 4, 7
                UNION ALL
                SELECT date_trunc('month', n.removed_date)::date, n.integration_id,
                       n.company_id, n.user_id, 'removal', count(*), co.currency_id,
                       count(*) * coalesce(max(price.price), 0)
                  FROM credit_bureau_negativation n
                  JOIN res_company co ON co.id = n.company_id
                  JOIN credit_bureau_integration i ON i.id = n.integration_id
                  %s
                 WHERE n.removed_date IS NOT NULL AND n.sent_date IS NOT NULL
                 GROUP BY 1, 2, 3, 4, 7
              ) s
            """,
            self._bureau_operation_price("inclusao"),
            self._bureau_operation_price("baixa"),
        )

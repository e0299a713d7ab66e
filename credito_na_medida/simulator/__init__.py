"""Simulator of the Crédito na Medida REST API (see app.py); no Odoo import."""

import re

from odoo import models

BATCH_CHANNEL = re.compile(r"^credit_bureau_batch_(\d+)$")


class IrWebsocket(models.AbstractModel):
    """The batch form listens on its batch's channel (``credit_bureau_batch_<id>``): a
    client is subscribed to the batches it may read, never to the others."""

    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        channels = list(channels)  # the caller's list is left alone
        batch_ids = []
        for channel in list(channels):
            match = isinstance(channel, str) and BATCH_CHANNEL.match(channel)
            if match:
                channels.remove(channel)
                batch_ids.append(int(match.group(1)))
        batches = self.env["credit.bureau.negativation.batch"]
        if batch_ids and batches.has_access("read"):
            # The user's own rights: the record rules of the batches apply.
            channels.extend(batches.search([("id", "in", batch_ids)]))
        return super()._build_bus_channel_list(channels)

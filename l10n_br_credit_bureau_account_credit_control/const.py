"""Constants of the bridge between OCA account_credit_control and the credit bureau core."""

# The channel of a policy level (and of its lines) that negativates the invoices.
NEGATIVATE = "negativate"
NEGATIVATE_CHANNEL = [(NEGATIVATE, "Negativate")]
# On uninstall, the levels and lines of that channel become letters (the channel is required).
NEGATIVATE_ONDELETE = {NEGATIVATE: "set letter"}
# The states of a credit-control line that may still be negativated: not yet triaged, to
# do, or blocked last time (the user fixed the blocker and sends it again).
SENDABLE_STATES = ("draft", "to_be_sent", "error")
# Who may read the credit-control lines (OCA's lowest group).
CREDIT_CONTROL_INFO_GROUP = "account_credit_control.group_account_credit_control_info"

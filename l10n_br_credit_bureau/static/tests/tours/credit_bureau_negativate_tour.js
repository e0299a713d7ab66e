import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("credit_bureau_negativate_tour", {
    steps: () => [
        {
            content: "The overdue invoice is open",
            trigger: ".o_form_view .o_field_widget[name=payment_state], .o_form_view .o_statusbar_status",
        },
        {
            content: "Click Negativate",
            trigger: ".o_form_view button[name=action_credit_negativate]",
            run: "click",
        },
        {
            content: "The wizard lists the invoice, ready to send",
            trigger: ".modal .o_field_widget[name=ok_count]:contains(1)",
        },
        {
            content: "Confirm",
            trigger: ".modal button[name=action_negativate]",
            run: "click",
        },
        {
            content: "The negativation is queued for sending",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=sending]",
        },
        {
            content: "Back to the invoice",
            trigger: ".o_back_button",
            run: "click",
        },
        {
            content: "The invoice shows the negativation badge in its state",
            trigger: ".o_form_view .o_field_widget[name=credit_negativation_state] .badge:contains(Sending)",
        },
        {
            content: "The Negativate button is gone: the invoice has an open negativation",
            trigger: ".o_form_view .o_form_statusbar:not(:has(button[name=action_credit_negativate]))",
        },
        {
            content: "The smart button counts one negativation",
            trigger: ".o_form_view .oe_stat_button[name=action_view_credit_negativations] .o_stat_value:contains(1)",
        },
        {
            content: "Open it",
            trigger: ".o_form_view .oe_stat_button[name=action_view_credit_negativations]",
            run: "click",
        },
        {
            content: "It opens the negativation of this invoice, in its state",
            trigger: ".o_form_view:has(.o_field_widget[name=move_id]) .o_statusbar_status button.o_arrow_button_current[data-value=sending]",
        },
    ],
});

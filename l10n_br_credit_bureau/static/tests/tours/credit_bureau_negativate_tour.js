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
    ],
});

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("credit_bureau_negativate_partner_tour", {
    steps: () => [
        {
            content: "The debtor's form is open: its Negativations tab",
            trigger: ".o_form_view .o_notebook a[name=credit_bureau_negativations]",
            run: "click",
        },
        {
            content: "Click Negativate overdue invoices",
            trigger: ".o_form_view button[name=action_credit_negativate]",
            run: "click",
        },
        {
            content: "The wizard lists the two overdue invoices, both selected",
            trigger: ".modal .o_field_widget[name=ok_count]:contains(2)",
        },
        {
            content: "Untick the invoice of 275",
            trigger: ".modal .o_data_row:contains(275) td[name=include]:has(input:checked)",
            run: "click",
        },
        {
            content: "It is unticked",
            trigger: ".modal .o_data_row:contains(275) td[name=include] input:not(:checked)",
        },
        {
            content: "The totals follow the choice",
            trigger: ".modal .o_field_widget[name=ok_count]:contains(1)",
        },
        {
            content: "Confirm",
            trigger: ".modal button[name=action_negativate]",
            run: "click",
        },
        {
            content: "The negativation of the other invoice is queued for sending",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=sending]",
        },
    ],
});

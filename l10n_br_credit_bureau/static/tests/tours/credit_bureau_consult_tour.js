import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("credit_bureau_consult_tour", {
    steps: () => [
        {
            content: "The customer's form is open",
            trigger: ".o_form_view .o_field_widget[name=name]:contains(Cliente Tour da Silva), .o_form_view .o_field_widget[name=name] input:value(Cliente Tour da Silva)",
        },
        {
            content: "Click Consult credit analysis",
            trigger: "button[name=action_credit_consult]",
            run: "click",
        },
        {
            content: "The wizard comes with the customer's document",
            trigger: ".modal .o_field_widget[name=document] input:value(529.982.247-25)",
        },
        {
            content: "Confirm the wizard",
            trigger: ".modal button[name=action_consult]",
            run: "click",
        },
        {
            content: "The consultation shows the score",
            trigger: ".o_form_view .o_field_widget[name=score]:not(:empty)",
        },
        {
            content: "and its result",
            trigger: ".o_form_view .o_field_widget[name=total_count]:not(:empty)",
        },
    ],
});

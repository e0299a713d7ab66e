import { registry } from "@web/core/registry";

// Consult a lead, see "Reprovado" with its reasons, try to win it, see the block.
registry.category("web_tour.tours").add("credit_bureau_decision_tour", {
    steps: () => [
        {
            content: "The opportunity's form is open",
            trigger: ".o_lead_opportunity_form .o_field_widget[name=credit_document] input:value(100.000.021-43)",
        },
        {
            content: "Click Consultar análise de crédito",
            trigger: "button[name=action_credit_consult]",
            run: "click",
        },
        {
            content: "The wizard comes with the lead's document",
            trigger: ".modal .o_field_widget[name=document] input:value(100.000.021-43)",
        },
        {
            content: "Confirm the wizard",
            trigger: ".modal button[name=action_consult]",
            run: "click",
        },
        {
            content: "The consultation is rejected",
            trigger: ".o_form_view .o_field_widget[name=decision]:contains(Reprovado)",
        },
        {
            content: "with the reasons",
            trigger: ".o_form_view .o_field_widget[name=decision_reasons]:contains(Número de cheques sem fundo no mínimo 1)",
        },
        {
            content: "Back to the opportunity",
            trigger: ".o_breadcrumb li.o_back_button",
            run: "click",
        },
        {
            content: "The opportunity shows the decision",
            trigger: ".o_lead_opportunity_form .o_field_widget[name=credit_decision]:contains(Reprovado)",
        },
        {
            content: "Try to mark it as won",
            trigger: "button[name=action_set_won_rainbowman]",
            run: "click",
        },
        {
            content: "It is blocked, with the reasons",
            trigger: ".modal:contains(foi reprovado):contains(Número de cheques sem fundo)",
        },
        {
            content: "and a button to consult",
            trigger: ".modal .modal-footer button:contains(Consultar análise de crédito)",
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer button:not(:contains(Consultar análise de crédito))",
            run: "click",
        },
        {
            content: "The opportunity is not won",
            trigger: ".o_lead_opportunity_form:not(:has(.ribbon:contains(Ganho)))",
        },
    ],
});

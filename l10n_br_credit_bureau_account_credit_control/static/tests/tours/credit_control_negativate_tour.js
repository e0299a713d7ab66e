import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("credit_control_negativate_tour", {
    steps: () => [
        {
            content: "The credit control lines of the run: two of the level Negativar",
            trigger: ".o_list_view .o_data_row:nth-child(2) td[name=channel]",
        },
        {
            content: "Select all the lines",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the actions",
            trigger: ".o_cp_action_menus i.fa-cog",
            run: "click",
        },
        {
            content: "Action Negativar",
            trigger: ".o-dropdown--menu .o_menu_item:contains(Negativar)",
            run: "click",
        },
        {
            content: "The preview: one invoice goes, one is blocked",
            trigger: ".modal .o_field_widget[name=ready_count]:contains(1)",
        },
        {
            content: "The blocked one says why, in Portuguese",
            trigger: ".modal .o_field_widget[name=blocked_summary]:contains(endereço incompleto)",
        },
        {
            content: "Negativate",
            trigger: ".modal button[name=action_negativate]",
            run: "click",
        },
        {
            content: "The line of the clean invoice shows its negativation, queued for sending",
            trigger: ".o_list_view .o_data_row td[name=credit_negativation_state]:contains(Enviando)",
        },
        {
            content: "The blocked line is in error and says why",
            trigger: ".o_list_view .o_data_row.text-danger td[name=credit_bureau_blockers]:contains(endereço incompleto)",
        },
    ],
});

import { registry } from "@web/core/registry";

/*
 * The tours of the user guide (docs/guia-do-usuario.md): the flows a Brazilian back office
 * goes through, from the first integration to a removal, read in Portuguese as the users see
 * them. Each `screenshot(name, trigger)` is a named step: once `trigger` is on screen it asks
 * the test (tests/test_guide_tours.py) for a picture and waits until it is taken; with
 * UPDATE_SCREENSHOTS=1 the picture becomes docs/img/<name>.png (./setup/screenshots).
 * tests/test_docs.py checks that every image of the guide comes from such a step.
 */
const SIGNAL = "credit_bureau_screenshot:";

function screenshot(name, trigger) {
    return [
        {
            content: `Screenshot ${name}: the screen shows what it should`,
            trigger,
        },
        {
            content: `Screenshot ${name}`,
            trigger: "body",
            async run() {
                // Two frames: what the trigger found is painted before the picture.
                await new Promise((resolve) =>
                    requestAnimationFrame(() => requestAnimationFrame(resolve))
                );
                console.log(`${SIGNAL}${name}`);
            },
        },
        {
            content: `Screenshot ${name} taken`,
            trigger: `body[data-credit-bureau-screenshot="${name}"]`,
        },
    ];
}

const STATUS_ROW =
    ".o_field_widget[name=routine_ids] .o_data_row:has(td[name=routine]:contains(Consulta de situação))";

registry.category("web_tour.tours").add("credit_bureau_guide_integration_tour", {
    steps: () => [
        {
            content: "The integrations: none yet",
            trigger: ".o_list_view .o_list_button_add, .o_control_panel .o_list_button_add",
            run: "click",
        },
        {
            content: "Name the integration",
            trigger: ".o_form_view .o_field_widget[name=name] input",
            run: "edit Simulado - Matriz",
        },
        {
            content: "Open the Intermediador's list",
            trigger: ".o_form_view .o_field_widget[name=provider] .o_select_menu_toggler",
            run: "click",
        },
        {
            content: "Choose the intermediary",
            trigger: ".o_select_menu_item:contains(Simulado (testes))",
            run: "click",
        },
        {
            content: "Homologação is the default environment",
            trigger:
                ".o_form_view .o_field_widget[name=environment] input[data-value=homologacao]:checked",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Testar conexão",
            trigger: ".o_form_saved .o_form_statusbar button:contains(Testar conexão)",
            run: "click",
        },
        {
            content: "The connection works",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Funcionando)",
        },
        {
            content: "Sincronizar produtos",
            trigger: ".o_form_view .o_form_statusbar button:contains(Sincronizar produtos)",
            run: "click",
        },
        {
            content: "The products are listed",
            trigger: ".o_form_view .o_field_widget[name=product_ids] .o_data_row",
        },
        ...screenshot(
            "integracao-configurada",
            ".o_form_view:not(:has(div[name=missing_defaults]:visible)) .o_field_widget[name=default_restriction_code_id] input:value(TI)"
        ),
        {
            content: "Open the Agenda de tarefas tab",
            trigger: ".o_notebook .nav-link[name=routines]:contains(Agenda de tarefas)",
            run: "click",
        },
        {
            content: "Edit the status poll's schedule: click its hours",
            trigger: `${STATUS_ROW} td[name=hours]`,
            run: "click",
        },
        {
            content: "At 8",
            trigger: `${STATUS_ROW}.o_selected_row td[name=hours] input`,
            run: "edit 8",
        },
        {
            content: "and 30 minutes",
            trigger: `${STATUS_ROW}.o_selected_row td[name=minutes] input`,
            run: "edit 30",
        },
        {
            content: "Monday to Friday",
            trigger: `${STATUS_ROW}.o_selected_row td[name=weekdays] input`,
            run: "edit seg-sex",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The next run is shown, at half past",
            trigger: `.o_form_saved ${STATUS_ROW} td[name=next_run]:contains(:30)`,
        },
        {
            content: "Executar agora",
            trigger: `${STATUS_ROW} button[name=action_run_now]`,
            run: "click",
        },
        {
            content: "A notification says what was done",
            trigger: ".o_notification:contains(Nada a fazer)",
        },
        ...screenshot(
            "agenda-de-tarefas",
            ".o_field_widget[name=routine_run_ids] .o_data_row td[name=routine]:contains(Consulta de situação)"
        ),
    ],
});

registry.category("web_tour.tours").add("credit_bureau_guide_consult_tour", {
    steps: () => [
        {
            content: "Consultar análise de crédito, on the customer",
            trigger: ".o_form_view button[name=action_credit_consult]:contains(Consultar análise de crédito)",
            run: "click",
        },
        {
            content: "The purpose",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Contrato de novo plano de internet",
        },
        ...screenshot(
            "consulta-assistente",
            ".modal .o_field_widget[name=reason] textarea:value(Contrato de novo plano de internet)"
        ),
        {
            content: "Consultar",
            trigger: ".modal button[name=action_consult]:contains(Consultar)",
            run: "click",
        },
        ...screenshot(
            "consulta-resultado",
            ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Concluída)"
        ),
    ],
});

registry.category("web_tour.tours").add("credit_bureau_guide_negativate_tour", {
    steps: () => [
        {
            content: "Negativar, on the overdue invoice",
            trigger: ".o_form_view button[name=action_credit_negativate]:contains(Negativar)",
            run: "click",
        },
        ...screenshot("negativar-fatura", ".modal .o_field_widget[name=ok_count]:contains(1)"),
        {
            content: "Negativar",
            trigger: ".modal button[name=action_negativate]",
            run: "click",
        },
        {
            content: "The negativation is queued for sending",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=sending]",
        },
    ],
});

registry.category("web_tour.tours").add("credit_bureau_guide_mass_tour", {
    steps: () => [
        {
            content: "The Negativação menu",
            trigger: ".o_main_navbar .o_menu_sections button:contains(Negativação), .o_main_navbar .o_menu_sections a:contains(Negativação)",
            run: "click",
        },
        {
            content: "Negativação em lote",
            trigger: ".o-dropdown--menu .dropdown-item:contains(Negativação em lote)",
            run: "click",
        },
        {
            content: "Overdue for more than 5 days",
            trigger: ".modal .o_field_widget[name=days_overdue] input",
            run: "edit 5",
        },
        {
            content: "Selecionar faturas",
            trigger: ".modal button[name=action_apply_filter]:contains(Selecionar faturas)",
            run: "click",
        },
        ...screenshot(
            "negativacao-em-lote",
            ".modal .o_field_widget[name=line_ids] .o_data_row.text-danger, .modal .o_field_widget[name=line_ids] .o_data_row.text-muted"
        ),
        {
            content: "Negativar",
            trigger: ".modal button[name=action_negativate]",
            run: "click",
        },
        ...screenshot(
            "lote-de-negativacao",
            ".o_form_view .o_field_widget[name=sending_count]:not(:contains(/^0$/))"
        ),
    ],
});

registry.category("web_tour.tours").add("credit_bureau_guide_removal_tour", {
    steps: () => [
        ...screenshot(
            "negativacoes",
            ".o_list_view .o_data_row td[name=state]:contains(Pendente (prazo de comunicação))"
        ),
        {
            content: "Open a pending negativation",
            trigger: ".o_list_view .o_data_row:has(td[name=state]:contains(Pendente)) td[name=partner_id]",
            run: "click",
        },
        ...screenshot(
            "negativacao",
            ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=pending]"
        ),
        {
            content: "Remover negativação",
            trigger: ".o_form_view button[name=action_open_removal_wizard]:contains(Remover negativação)",
            run: "click",
        },
        {
            content: "The removal reason: 01, found by its code",
            trigger: ".modal .o_field_widget[name=removal_code_id] input",
            run: "edit 01",
        },
        {
            content: "Pick it",
            trigger: ".modal .o-autocomplete--dropdown-item:contains(01):first",
            run: "click",
        },
        ...screenshot(
            "remover-negativacao",
            ".modal .o_field_widget[name=removal_code_id] input:value(01)"
        ),
        {
            content: "Solicitar remoção",
            trigger: ".modal button[name=action_remove]:contains(Solicitar remoção)",
            run: "click",
        },
        {
            content: "The removal is requested",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value=removal_requested]",
        },
    ],
});

registry.category("web_tour.tours").add("credit_bureau_guide_reports_tour", {
    steps: () => [
        ...screenshot(
            "execucoes-das-rotinas",
            ".o_list_view .o_data_row td[name=routine]:contains(Remoção automática)"
        ),
        {
            content: "The Relatórios menu",
            trigger:
                ".o_main_navbar .o_menu_sections button:contains(Relatórios), .o_main_navbar .o_menu_sections a:contains(Relatórios)",
            run: "click",
        },
        {
            content: "Extrato mensal",
            trigger: ".o-dropdown--menu .dropdown-item:contains(Extrato mensal)",
            run: "click",
        },
        ...screenshot("extrato-mensal", ".o_pivot_view .o_pivot table .o_pivot_cell_value"),
    ],
});

registry.category("web_tour.tours").add("credit_bureau_guide_rights_tour", {
    steps: () => [
        ...screenshot(
            "usuario-direitos",
            ".o_form_view .o_field_widget[name=login] input:value(vendedora@velozfibra.example.com)"
        ),
    ],
});

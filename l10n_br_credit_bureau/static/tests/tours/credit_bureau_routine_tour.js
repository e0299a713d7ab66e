import { registry } from "@web/core/registry";

const STATUS_ROW =
    ".o_field_widget[name=routine_ids] .o_data_row:has(td[name=routine]:contains(Consulta de situação))";

registry.category("web_tour.tours").add("credit_bureau_routine_tour", {
    steps: () => [
        {
            content: "The integration's form is open",
            trigger: ".o_form_view .o_field_widget[name=name] input:value(Simulado Agenda)",
        },
        {
            content: "Open the Agenda de tarefas tab",
            trigger: ".o_notebook .nav-link[name=routines]",
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
            content: "on days 5 and 20",
            trigger: `${STATUS_ROW}.o_selected_row td[name=month_days] input`,
            run: "edit 5,20",
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
            content: "Run it now",
            trigger: `${STATUS_ROW} button[name=action_run_now]`,
            run: "click",
        },
        {
            content: "A notification says what was done",
            trigger: ".o_notification:contains(Nada a fazer)",
        },
        {
            content: "The run has its line in the log",
            trigger:
                ".o_field_widget[name=routine_run_ids] .o_data_row td[name=routine]:contains(Consulta de situação)",
        },
    ],
});

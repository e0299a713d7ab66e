import { registry } from "@web/core/registry";

// The batch form is open while the test runs the sending job: its counts change by
// themselves (the job's bus notifications), nobody reloads the page.
registry.category("web_tour.tours").add("credit_bureau_batch_progress_tour", {
    steps: () => [
        {
            content: "The running batch is open, listening to its progress",
            trigger: ".o_form_view .o_credit_bureau_batch_progress:not(:visible)",
        },
        {
            content: "Nothing sent yet: two negativations are being sent",
            trigger: ".o_form_view .o_field_widget[name=sending_count]:contains(2)",
        },
        {
            content: "The first group is committed by the job: one sent, one still sending",
            trigger:
                ".o_form_view:has(.o_field_widget[name=sent_count]:contains(1)) .o_field_widget[name=sending_count]:contains(1)",
        },
        {
            content: "The job sends the rest and closes the batch: both sent, done",
            trigger:
                ".o_form_view:has(.o_field_widget[name=sent_count]:contains(2)) .o_statusbar_status button.o_arrow_button_current[data-value=done]",
        },
    ],
});

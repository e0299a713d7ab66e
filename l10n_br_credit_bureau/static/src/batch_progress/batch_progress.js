import { Component, onWillDestroy } from "@odoo/owl";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardWidgetProps } from "@web/views/widgets/standard_widget_props";

/**
 * On a mass negativation batch's form: listens on the batch's bus channel and reloads the
 * record when the sending job pushes its counts (after each group it commits), so the
 * progress shows without the user reloading the page.
 */
export class CreditBureauBatchProgress extends Component {
    static template = "l10n_br_credit_bureau.BatchProgress";
    static props = { ...standardWidgetProps };

    setup() {
        this.busService = useService("bus_service");
        this.resId = this.props.record.resId;
        this.channel = `credit_bureau_batch_${this.resId}`;
        this.onProgress = (payload) => {
            const record = this.props.record;
            if (payload.id === this.resId && record.resId === this.resId && !record.dirty) {
                record.load();
            }
        };
        if (this.resId) {
            this.busService.addChannel(this.channel);
            this.busService.subscribe("credit_bureau/batch_progress", this.onProgress);
        }
        onWillDestroy(() => {
            if (this.resId) {
                this.busService.unsubscribe("credit_bureau/batch_progress", this.onProgress);
                this.busService.deleteChannel(this.channel);
            }
        });
    }
}

registry.category("view_widgets").add("credit_bureau_batch_progress", {
    component: CreditBureauBatchProgress,
});

#include "billing/cycles.hpp"

namespace provisio {

int cycle_months(std::string_view cycle) {
    if (cycle == "monthly") return 1;
    if (cycle == "quarterly") return 3;
    if (cycle == "semiannually") return 6;
    if (cycle == "annually") return 12;
    if (cycle == "biennially") return 24;
    if (cycle == "triennially") return 36;
    return 0;
}

bool cycle_recurs(std::string_view cycle) { return cycle_months(cycle) > 0; }
bool cycle_invoices(std::string_view cycle) { return cycle != "free"; }

Date next_due_date(Date due, std::string_view cycle, unsigned anchor_day) {
    const int months = cycle_months(cycle);
    return months ? add_months_anchored(due, months, anchor_day) : due;
}

Date previous_due_date(Date due, std::string_view cycle, unsigned anchor_day) {
    const int months = cycle_months(cycle);
    return months ? add_months_anchored(due, -months, anchor_day) : due;
}

Money recurring_price(Money price, std::string_view product_cycle, std::string_view service_cycle, int decimals) {
    const int from = cycle_months(product_cycle), to = cycle_months(service_cycle);
    if (from == 0 || to == 0 || from == to) return price;
    // price * to / from, rounded half-up at the micro, then to the currency.
    return price.scaled(to, from, "recurring price").rounded(decimals, Rounding::half_up);
}

}  // namespace provisio

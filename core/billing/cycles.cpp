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

}  // namespace provisio

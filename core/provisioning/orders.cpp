#include "provisioning/orders.hpp"

#include "billing/addons.hpp"
#include "billing/invoice_generation.hpp"
#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "provisioning/lifecycle.hpp"
#include "store/database.hpp"

namespace provisio {

std::optional<int64_t> default_server(Repository &repo, const Product &product) {
    if (product.module.empty()) return std::nullopt;
    std::optional<int64_t> found;
    for (const auto &s : repo.list_servers()) {
        if (s.module != product.module) continue;
        if (found) return std::nullopt;  // several: the operator must choose
        found = s.id;
    }
    return found;
}

PlacedOrder place_order(Repository &repo, Date today, const OrderRequest &request) {
    const Client client = repo.get_client(request.client_id);
    if (client.status == "Closed") fail(ErrorKind::refused, "client " + std::to_string(client.id) + " is closed: reopen it before ordering");
    PlacedOrder order;
    order.product = repo.find_product(request.product);
    const Product &product = order.product;
    Service &s = order.service;
    s.client_id = client.id;
    s.product_id = product.id;
    s.status = "Pending";
    s.domain = request.domain;
    s.billing_cycle = request.cycle.empty() ? product.billing_cycle : check_billing_cycle(request.cycle);
    s.recurring_amount = product.price;
    if (!request.price.empty()) {
        s.recurring_amount = Money::parse(request.price, request.price_field, 2);
        if (s.recurring_amount.negative())
            fail(ErrorKind::invalid_input, request.price_field + " '" + request.price + "' must not be negative");
    }
    if (!request.server.empty()) {
        const Server server = repo.find_server(request.server);
        if (server.module != product.module)
            fail(ErrorKind::invalid_input, "server '" + server.name + "' is managed by module " + server.module + ", but product '" + product.name +
                                               "' uses " + (product.module.empty() ? "no module" : "module " + product.module));
        s.server_id = server.id;
    } else {
        s.server_id = default_server(repo, product);
    }
    s.next_due_date = s.next_invoice_date = format_date(today);
    s.anchor_day = static_cast<unsigned>(today.day());

    Database &db = repo.database();
    Transaction tx(db);
    s.id = repo.add_service(s);
    Addons addons(db, repo.now_text());
    for (const auto &name : request.addons) {
        const CatalogueAddon c = addons.find_in_catalogue(name);
        ServiceAddon a;
        a.service_id = s.id;
        a.catalogue_id = c.id;
        a.name = c.name;
        a.price = c.price;
        a.billing_cycle = c.billing_cycle;
        a.next_due_date = a.next_invoice_date = format_date(today);
        a.anchor_day = static_cast<unsigned>(today.day());
        order.addon_ids.push_back(addons.add(a));
    }
    if (!request.no_invoice) {
        GenerationOptions o;
        o.today = today;
        o.service_id = s.id;
        o.early = true;  // exactly the first period, and Pending services too
        for (const int64_t i : generate_invoices(db, repo.now_text(), o).invoice_ids) order.invoice_ids.push_back(i);
        for (const int64_t addon : order.addon_ids) {
            GenerationOptions ao;
            ao.today = today;
            ao.days_before = 0;
            ao.addon_id = addon;
            for (const int64_t i : generate_invoices(db, repo.now_text(), ao).invoice_ids) order.invoice_ids.push_back(i);
        }
    }
    tx.commit();
    order.service = repo.get_service(s.id);
    return order;
}

namespace {

SetupOutcome set_up(Provisioner &provisioner, int64_t service_id) {
    const LifecycleResult r = provisioner.run(service_id, Action::create);
    return {service_id, r.status == PROVISIO_OK,
            "service " + std::to_string(service_id) + " create: " +
                (r.status == PROVISIO_OK ? "ok" : std::string(r.status == PROVISIO_RETRYABLE ? "queued for retry" : "failed")) +
                (r.message.empty() ? "" : " — " + r.message)};
}

}  // namespace

std::vector<SetupOutcome> provision_paid_orders(Database &db, Provisioner &provisioner, int64_t invoice_id) {
    auto q = db.prepare("SELECT DISTINCT s.id FROM invoice_items t JOIN invoices i ON i.id = t.invoice_id "
                        "JOIN services s ON s.id = t.item_id JOIN products p ON p.id = s.product_id "
                        "WHERE t.invoice_id = ?1 AND t.item_type = 'service' AND i.status = 'Paid' AND s.status = 'Pending' "
                        "AND p.auto_setup = 'payment' ORDER BY s.id");
    q.bind(1, invoice_id);
    std::vector<int64_t> due;
    while (q.step()) due.push_back(q.int64(0));
    std::vector<SetupOutcome> said;
    for (const int64_t id : due) said.push_back(set_up(provisioner, id));
    return said;
}

OrderSetup set_up_placed_order(Database &db, Provisioner &provisioner, const PlacedOrder &order) {
    OrderSetup out;
    const int64_t id = order.service.id;
    const Product &product = order.product;
    if (product.module.empty() || product.auto_setup == "manual") {
        out.note = "service " + std::to_string(id) + " is Pending: provision it with provisio service create " + std::to_string(id);
    } else if (product.auto_setup == "order") {
        out.outcomes.push_back(set_up(provisioner, id));
    } else {
        for (const int64_t i : order.invoice_ids)
            for (auto &o : provision_paid_orders(db, provisioner, i)) out.outcomes.push_back(std::move(o));  // paid already from credit
        if (out.outcomes.empty()) out.note = "service " + std::to_string(id) + " is provisioned when its first invoice is paid";
    }
    return out;
}

}  // namespace provisio

// provisio tariff import|export|list|show: rate cards, kept by version.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "shapes/records_json.hpp"
#include "foundation/error.hpp"
#include "money/money.hpp"
#include "usage/tariff_store.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct TariffArgs {
    std::string name, file;
    std::vector<std::string> map;
    int version = 0;
};

}  // namespace

void add_tariff_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *tariff = app.add_subcommand("tariff", "Tariffs (rate cards) for VoIP usage billing");
    tariff->require_subcommand(1);
    auto args = std::make_shared<TariffArgs>();

    auto *import = tariff->add_subcommand("import", "Import a CSV rate card as the tariff's next version");
    import->add_option("NAME", args->name, "Tariff name (created on first import)")->required();
    import->add_option("FILE", args->file, "CSV with a header row")->required();
    import->add_option("--map", args->map, "'THEIR COLUMN=FIELD': read a provider's column as one of our fields (saved for next time)");
    import->callback([&, args] {
        run = [&, args] {
            std::map<std::string, std::string> map;
            for (const auto &m : args->map) {
                const size_t eq = m.rfind('=');
                if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
                    fail(ErrorKind::invalid_input, "--map '" + m + "' is not COLUMN=FIELD");
                map[m.substr(0, eq)] = m.substr(eq + 1);
            }
            usage::TariffStore store(ctx.db(), ctx.repo().now_text());
            const usage::TariffVersion v = store.import(args->name, args->file, map);
            if (ctx.options.json)
                print_json(std::cout, {{"tariff", args->name}, {"version", v.version}, {"rates", v.rate_count}});
            else
                std::cout << "tariff " << args->name << ": version " << v.version << ", " << v.rate_count << " rate"
                          << (v.rate_count == 1 ? "" : "s") << '\n';
            return exit_ok;
        };
    });

    tariff->add_subcommand("list", "List tariffs")->callback([&] {
        run = [&] {
            usage::TariffStore store(ctx.db(), ctx.repo().now_text());
            const auto all = store.list();
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &t : all) out.push_back(tariff_json(t));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table table({"ID", "NAME", "VERSION", "RATES", "IMPORTED"});
            for (const auto &t : all)
                table.add({std::to_string(t.id), t.name, t.current ? std::to_string(t.current->version) : "-",
                           t.current ? std::to_string(t.current->rate_count) : "0", t.current ? t.current->imported_at : ""});
            if (table.empty()) std::cout << "no tariffs (provisio tariff import NAME FILE)\n";
            else table.print(std::cout);
            return exit_ok;
        };
    });

    auto *show = tariff->add_subcommand("show", "Show a tariff: its versions and column map");
    show->add_option("NAME", args->name, "Tariff name or id")->required();
    show->callback([&, args] {
        run = [&, args] {
            usage::TariffStore store(ctx.db(), ctx.repo().now_text());
            const usage::Tariff t = store.find(args->name);
            const auto versions = store.versions(t.id);
            if (ctx.options.json) {
                print_json(std::cout, tariff_detail_json(t, versions));
                return exit_ok;
            }
            std::string map;
            for (const auto &[k, v] : t.column_map) map += (map.empty() ? "" : ", ") + k + " → " + v;
            print_fields(std::cout, {{"tariff", t.name + " (id " + std::to_string(t.id) + ")"},
                                     {"column map", map.empty() ? "(none: the file's headers are our field names)" : map}});
            Table table({"VERSION", "RATES", "IMPORTED", "FILE"});
            for (const auto &v : versions)
                table.add({std::to_string(v.version) + (t.current && t.current->id == v.id ? " (current)" : ""),
                           std::to_string(v.rate_count), v.imported_at, v.source_file});
            table.print(std::cout);
            return exit_ok;
        };
    });

    auto *export_ = tariff->add_subcommand("export", "Print a tariff's rates as CSV (the current version, or --version N)");
    export_->add_option("NAME", args->name, "Tariff name or id")->required();
    export_->add_option("--version", args->version, "An earlier version");
    export_->callback([&, args] {
        run = [&, args] {
            usage::TariffStore store(ctx.db(), ctx.repo().now_text());
            const usage::Tariff t = store.find(args->name);
            std::optional<int64_t> version_id;
            for (const auto &v : store.versions(t.id))
                if (args->version ? v.version == args->version : (t.current && v.id == t.current->id)) version_id = v.id;
            if (!version_id)
                fail(ErrorKind::not_found, "tariff '" + t.name + "' has no version " +
                                               (args->version ? std::to_string(args->version) : std::string("yet")));
            std::cout << "Description,Prefix,RateValue,Increment,ConnectFee,MinimumDuration,GracePeriod\n";
            for (const auto &r : store.rates(*version_id))
                std::cout << csv_field(r.description) << ',' << r.prefix << ',' << Money::from_micros(r.per_minute_micros).to_string(2)
                          << ',' << usage::increment_text(r) << ',' << Money::from_micros(r.connect_fee_micros).to_string(2) << ','
                          << r.initial_seconds << ',' << r.grace_seconds << '\n';
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli

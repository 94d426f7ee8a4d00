// provisio serve: the client area and the HTTP API, until SIGTERM.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "foundation/error.hpp"
#include "http/api_routes.hpp"
#include "http/serve_context.hpp"
#include "http/server.hpp"
#include "web/client_area.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <iterator>

namespace provisio::cli {

namespace {
struct ServeArgs {
    std::string listen;
    bool openapi = false;
};
}  // namespace

void add_serve_commands(CLI::App &app, Context &ctx, Runner &run, const std::string &version) {
    auto args = std::make_shared<ServeArgs>();
    auto *serve = app.add_subcommand("serve", "Serve the client area and the HTTP API until SIGTERM ([http_server] in the configuration)");
    serve->add_option("--listen", args->listen, "ADDRESS:PORT, over [http_server] listen (port 0: any free port)");
    serve->add_flag("--openapi", args->openapi,
                    "Print the API's OpenAPI 3.1 document (what /api/v1/openapi.json answers) and exit; needs no configuration");
    serve->callback([&, args, version] {
        run = [&, args, version] {
            if (args->openapi) {
                print_json(std::cout, api_router(version).openapi(version));
                return exit_ok;
            }
            const Config &cfg = ctx.config();
            HttpServerOptions options;
            std::tie(options.address, options.port) =
                parse_listen(args->listen.empty() ? cfg.serve_listen : args->listen, args->listen.empty() ? "[http_server] listen" : "--listen");
            options.threads = cfg.serve_threads;
            options.max_connections = static_cast<size_t>(cfg.serve_max_connections);
            options.max_body_bytes = static_cast<size_t>(cfg.serve_max_body_kb) << 10;
            options.header_timeout = cfg.serve_header_timeout;
            options.body_timeout = cfg.serve_body_timeout;
            options.grace = cfg.serve_grace;
            if (cfg.serve_tls_cert.empty() != cfg.serve_tls_key.empty())
                fail(ErrorKind::invalid_input, "[http_server] cert and key go together: set both for HTTPS, or neither");
            options.tls_certificate = cfg.serve_tls_cert;
            options.tls_key = cfg.serve_tls_key;
            ctx.repo();  // migrations and pending sealing happen now, once, not in a request
            ServeContext context(cfg, ctx.secrets(), ctx.clock(), ctx.modules());
            const Router router = api_router(version);
            ClientAreaOptions area_options;
            area_options.company = cfg.client_area.company;
            area_options.limits.idle = std::chrono::minutes(cfg.client_area.idle_minutes);
            area_options.limits.absolute = std::chrono::hours(cfg.client_area.absolute_hours);
            area_options.limits.max_failures = cfg.client_area.max_failed_logins;
            area_options.limits.max_address_failures = cfg.client_area.max_failed_logins_per_address;
            area_options.limits.window = std::chrono::minutes(cfg.client_area.failed_login_minutes);
            if (!cfg.client_area.chart_js.empty()) {
                // Read once: the usage chart's script, from the system. Without it the usage
                // page has its table and no chart.
                std::ifstream chart(cfg.client_area.chart_js, std::ios::binary);
                if (chart) area_options.chart_js.assign(std::istreambuf_iterator<char>(chart), {});
                else spdlog::warn("[client_area] chart_js {}: cannot read it (install libjs-chart.js); the usage page shows no chart",
                                  cfg.client_area.chart_js);
            }
            const ClientArea area(area_options, router.metrics());
            HttpServer server(options, [&](const HttpRequest &request) {
                return is_client_area_path(request.path) ? area.handle(request, context) : router.dispatch(request, context);
            });
            const std::string host = options.address.find(':') == std::string::npos ? options.address : "[" + options.address + "]";
            std::cout << "provisio serving on " << (server.tls() ? "https://" : "http://") << host << ":" << server.port() << "/ (client area at /, API at /api/v1, health at /healthz)"
                      << std::endl;
            server.run();
            std::cout << "provisio serve stopped" << std::endl;
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli

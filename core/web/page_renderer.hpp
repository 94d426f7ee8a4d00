// Client-area pages: a template from core/web/templates rendered inside layout.html with data
// given as JSON (the same shapes the API answers with); pieces pages share are _NAME.html,
// included as {{> _NAME}}. Every {{value}} is HTML-escaped; the
// mustache forms that skip escaping ({{{value}}} and {{&value}}) are refused in any template,
// so no page can print a client's data raw.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace provisio {

// Error(internal) for an unknown page, a template that does not parse, or one that asks for
// unescaped output.
std::string render_page(const std::string &page, const nlohmann::ordered_json &data);

// Why `text` may not be used as a template (empty when it may): an unescaped tag, or a parse error.
std::string template_problem(const std::string &text);

}  // namespace provisio

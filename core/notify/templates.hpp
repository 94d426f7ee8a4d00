// E-mail templates: a name, a subject and a body with {$variable} placeholders, kept in the
// database. A template is checked when it is saved: a placeholder naming a variable provisio
// does not know is refused, with the line it is on, so a typo never reaches a client.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

using TemplateVars = std::map<std::string, std::string>;

struct MailTemplate {
    std::string name;
    std::string subject;
    std::string body;
    std::string updated_at;
    std::string category = "general";  // general, invoice, support, product, domain: which contacts get it
};

// Every variable a template may use, with what it holds.
const std::vector<std::pair<std::string, std::string>> &template_variables();

// Throws Error(invalid_input) naming the first unknown or malformed placeholder and its line;
// `where` names the part ("subject", "body").
void check_template_text(const std::string &text, const std::string &where);

// Replaces each {$name}; a known variable the caller did not supply renders empty.
std::string render_template(const std::string &text, const TemplateVars &vars);

void save_template(Database &db, const MailTemplate &t);  // checks first; insert or replace
std::optional<MailTemplate> find_template(Database &db, const std::string &name);
std::vector<MailTemplate> list_templates(Database &db);

}  // namespace provisio

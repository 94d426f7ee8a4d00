// The client area's templates (NAME.html) and static files (style.css), built into the program
// from core/web/templates, by file name.
#pragma once

#include <map>
#include <string_view>

namespace provisio {

const std::map<std::string_view, std::string_view> &web_assets();

}  // namespace provisio

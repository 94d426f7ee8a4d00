# provisio_add_module(NAME SOURCES...)
#
# Builds a provisio server module: a shared library named NAME.so (no "lib" prefix), C++20,
# symbols hidden except the entry point, linked with provisio::sdk. Copy the result into the
# host's modules directory (atomically: copy to a temporary name, then rename).
function(provisio_add_module name)
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE provisio::sdk)
  target_compile_features(${name} PRIVATE cxx_std_20)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  # (Not under sanitizers: their runtime symbols resolve only against the host executable.)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" AND NOT PROVISIO_SANITIZE)
    # A module must not depend on symbols the host happens to export.
    target_link_options(${name} PRIVATE "LINKER:--no-undefined")
  endif()
endfunction()

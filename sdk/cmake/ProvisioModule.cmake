# provisio_add_module(NAME [ABI_MINOR n] SOURCES...)
#
# Builds a provisio server module: a shared library named NAME.so (no "lib" prefix), C++20,
# linked with provisio::sdk, that
#  - must define the entry point: a build without PROVISIO_MODULE / PROVISIO_MODULE_ENTRY fails
#    at link time ("undefined symbol: provisio_module_entry") instead of at the operator's load;
#  - exports nothing else (hidden visibility, and a version script that keeps only the entry
#    in the dynamic symbol table), so its symbols can never clash with the host's or another
#    module's, whatever libraries it links statically;
#  - resolves every symbol it needs at link time (--no-undefined): a module must not depend on
#    symbols the host happens to export.
# ABI_MINOR n targets ABI 1.n (PROVISIO_ABI_TARGET_MINOR, see abi.h): the module then loads in
# every host from 1.n on. Link JSON support with target_link_libraries(NAME PRIVATE
# provisio::json) (find_package(provisio-sdk COMPONENTS json)).
#
# Copy the result into the host's modules directory atomically: copy to a temporary name, then
# rename.
function(provisio_add_module name)
  cmake_parse_arguments(PARSE_ARGV 1 M "" "ABI_MINOR" "")
  add_library(${name} MODULE ${M_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE provisio::sdk)
  target_compile_features(${name} PRIVATE cxx_std_20)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED M_ABI_MINOR)
    if(NOT M_ABI_MINOR MATCHES "^[0-9]+$")
      message(FATAL_ERROR "provisio_add_module(${name}): ABI_MINOR must be a number, not '${M_ABI_MINOR}'")
    endif()
    target_compile_definitions(${name} PRIVATE PROVISIO_ABI_TARGET_MINOR=${M_ABI_MINOR})
  endif()
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang" OR CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    set(_script ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/provisio-module.map)  # beside this file
    target_link_options(${name} PRIVATE
      "LINKER:--require-defined=provisio_module_entry"
      "LINKER:--version-script=${_script}")
    set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS ${_script})
    # (Not under sanitizers: their runtime symbols resolve only against the host executable.)
    if(NOT PROVISIO_SANITIZE)
      target_link_options(${name} PRIVATE "LINKER:--no-undefined")
    endif()
  endif()
endfunction()

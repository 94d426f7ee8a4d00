# Run by ctest (sdk.out_of_tree): proves the installed SDK is enough to build, test and ship
# a module from outside this repository; that what provisio_add_module builds exports its entry
# point and nothing else; and that a module without an entry point fails to link.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

include(${CMAKE_CURRENT_LIST_DIR}/script_steps.cmake)

step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component sdk)
foreach(f include/provisio/abi.h include/provisio/module.hpp include/provisio/testing.hpp
          include/provisio/scrub.hpp include/provisio/option_values.hpp
          lib/cmake/provisio-sdk/provisio-sdkConfig.cmake lib/cmake/provisio-sdk/provisio-module.map)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "the SDK install lacks ${f}")
  endif()
endforeach()

# Copy the example out of the tree, as an integrator would start from it.
file(COPY ${SOURCE_DIR}/sdk/examples/hello DESTINATION ${WORK_DIR})
step(${CMAKE_COMMAND} -S ${WORK_DIR}/hello -B ${WORK_DIR}/build -G ${GENERATOR}
     -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
step(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
step(${CMAKE_CTEST_COMMAND} --test-dir ${WORK_DIR}/build --output-on-failure)
step(${PROVISIO} module check ${WORK_DIR}/build/hello.so)
message(STATUS "${step_output}")
if(NOT step_output MATCHES "ok — module hello")
  message(FATAL_ERROR "provisio did not accept the out-of-tree module: ${step_output}")
endif()

# The dynamic symbol table holds the entry point and nothing else the module defines.
step(nm -D --defined-only ${WORK_DIR}/build/hello.so)
string(REGEX MATCHALL "[^\n]+" symbols "${step_output}")
foreach(line IN LISTS symbols)
  if(NOT line MATCHES " provisio_module_entry$")
    message(FATAL_ERROR "hello.so exports more than its entry point:\n${step_output}")
  endif()
endforeach()
if(NOT step_output MATCHES " provisio_module_entry")
  message(FATAL_ERROR "hello.so does not export provisio_module_entry:\n${step_output}")
endif()

# A module that forgot PROVISIO_MODULE: the link fails and names the missing entry point.
set(lost ${WORK_DIR}/no-entry)
file(WRITE ${lost}/CMakeLists.txt "cmake_minimum_required(VERSION 3.20)
project(no_entry LANGUAGES CXX)
find_package(provisio-sdk 1.0 REQUIRED)
provisio_add_module(no_entry no_entry.cpp)
")
file(WRITE ${lost}/no_entry.cpp "#include <provisio/module.hpp>
struct Forgotten { static constexpr provisio::ModuleInfo info{\"forgotten\", \"1\", \"\", 0}; };
int forgotten_helper() { return 1; }
")
step(${CMAKE_COMMAND} -S ${lost} -B ${lost}/build -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${prefix})
execute_process(COMMAND ${CMAKE_COMMAND} --build ${lost}/build RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT "${out}${err}" MATCHES "provisio_module_entry")
  message(FATAL_ERROR "a module without an entry point linked, or failed for another reason (${rc}):\n${out}\n${err}")
endif()
message(STATUS "a module without an entry point fails to link, naming provisio_module_entry")

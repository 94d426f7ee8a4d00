# Run by ctest (sdk.module_new): `provisio module new` writes a module an author can build at
# once. Installs the SDK to a scratch prefix, writes both skeletons (plain and --http), builds
# each as its own CMake project against the installed SDK (Debug: compiling fast is the point),
# runs its unit tests on the fake host, and has provisio check the .so it produced. Also: the
# command refuses a bad name and a directory that holds something.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

include(${CMAKE_CURRENT_LIST_DIR}/script_steps.cmake)

function(refused expected_rc expected_text)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expected_rc OR NOT err MATCHES "${expected_text}")
    message(FATAL_ERROR "expected exit ${expected_rc} and '${expected_text}' from: ${ARGN}\ngot ${rc}:\n${out}\n${err}")
  endif()
endfunction()

step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component sdk)
# The skeletons are the same on every run: with ccache, a rerun compiles nothing.
set(launcher "")
if(CCACHE)
  set(launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE})
endif()

foreach(kind plain http)
  set(name demo_${kind})
  set(dir ${WORK_DIR}/${name})
  if(kind STREQUAL "http")
    step(${PROVISIO} module new ${name} --http --dir ${dir})
  else()
    step(${PROVISIO} module new ${name} --dir ${dir})
  endif()
  if(NOT step_output MATCHES "wrote ${dir}/CMakeLists.txt")
    message(FATAL_ERROR "module new did not say what it wrote:\n${step_output}")
  endif()
  step(${CMAKE_COMMAND} -S ${dir} -B ${dir}/build -G ${GENERATOR} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Debug ${launcher})
  step(${CMAKE_COMMAND} --build ${dir}/build)
  step(${CMAKE_CTEST_COMMAND} --test-dir ${dir}/build --output-on-failure)
  step(${PROVISIO} module check ${dir}/build/${name}.so)
  if(NOT step_output MATCHES "ok — module ${name} 0.1.0")
    message(FATAL_ERROR "provisio did not accept the skeleton module ${name}: ${step_output}")
  endif()
  message(STATUS "${step_output}")
endforeach()

refused(2 "must start with a letter" ${PROVISIO} module new 9lives --dir ${WORK_DIR}/bad)
refused(5 "already exists and is not an empty directory" ${PROVISIO} module new again --dir ${WORK_DIR}/demo_plain)

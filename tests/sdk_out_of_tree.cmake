# Run by ctest (sdk.out_of_tree): proves the installed SDK is enough to build, test and ship
# a module from outside this repository.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

step(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component sdk)
foreach(f include/provisio/abi.h include/provisio/module.hpp include/provisio/testing.hpp
          lib/cmake/provisio-sdk/provisio-sdkConfig.cmake)
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

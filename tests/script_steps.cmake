# For the ctest scripts run with `cmake -P` (install_tree, sdk_out_of_tree, sdk_module_new):
# step(COMMAND ARGS...) runs a command and stops the test, with its output, when it fails; what it
# printed is left in `step_output`.
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

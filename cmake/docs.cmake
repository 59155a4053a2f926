# API documentation (issue #8): the Doxygen HTML target and the documentation
# tests. Included by the top-level project only.
#   cmake --build <build dir> --target proxy_protocol_docs    HTML in <build dir>/docs/html
find_package(Doxygen QUIET)
if(DOXYGEN_FOUND)
  # The Doxyfile in the repository works alone (`doxygen` from the source
  # directory writes build/docs); this wrapper sends the output to the build
  # tree and adds the version.
  set(_pp_doxyfile "${PROJECT_BINARY_DIR}/Doxyfile.build")
  file(CONFIGURE OUTPUT "${_pp_doxyfile}" CONTENT "@INCLUDE = @PROJECT_SOURCE_DIR@/Doxyfile
OUTPUT_DIRECTORY = \"@PROJECT_BINARY_DIR@/docs\"
PROJECT_NUMBER = @PROJECT_VERSION@
" @ONLY)
  add_custom_target(proxy_protocol_docs
    COMMAND "${DOXYGEN_EXECUTABLE}" "${_pp_doxyfile}"
    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
    COMMENT "Doxygen HTML in ${PROJECT_BINARY_DIR}/docs/html (warnings are errors)"
    VERBATIM)
endif()

if(NOT (PROXY_PROTOCOL_BUILD_TESTS OR PROXY_PROTOCOL_BUILD_DIST_TESTS))
  return()
endif()
find_package(Python3 COMPONENTS Interpreter QUIET)
if(Python3_FOUND)
  set(_pp_check_cheatsheet "${PROJECT_SOURCE_DIR}/docs/check_cheatsheet.py")
  # Fails with the exact names to add to (or drop from) docs/cheatsheet.md.
  add_test(NAME cheatsheet_names_every_public_entity_of_the_header
           COMMAND ${Python3_EXECUTABLE} "${_pp_check_cheatsheet}")
  add_test(NAME cheatsheet_extractor_finds_public_names_in_sample
           COMMAND ${Python3_EXECUTABLE} "${_pp_check_cheatsheet}" --self-test)
  set_tests_properties(cheatsheet_names_every_public_entity_of_the_header
                       cheatsheet_extractor_finds_public_names_in_sample PROPERTIES LABELS docs)
  if(PROXY_PROTOCOL_BUILD_DIST_TESTS)
    find_program(PROXY_PROTOCOL_CLANGXX NAMES clang++ clang++-14)
    if(PROXY_PROTOCOL_CLANGXX)
      add_test(NAME cheatsheet_extractor_agrees_with_clang_ast
               COMMAND ${Python3_EXECUTABLE} "${_pp_check_cheatsheet}" --compare-with-clang "${PROXY_PROTOCOL_CLANGXX}")
      set_tests_properties(cheatsheet_extractor_agrees_with_clang_ast PROPERTIES LABELS docs)
    endif()
  endif()
endif()
add_test(NAME changelog_and_header_agree_on_the_version
         COMMAND "${CMAKE_COMMAND}" "-DSOURCE_DIR=${PROJECT_SOURCE_DIR}" -P "${CMAKE_CURRENT_LIST_DIR}/check_changelog.cmake")
set_tests_properties(changelog_and_header_agree_on_the_version PROPERTIES LABELS docs)
if(PROXY_PROTOCOL_BUILD_DIST_TESTS AND DOXYGEN_FOUND)
  add_test(NAME doxygen_html_builds_without_warnings
           COMMAND "${CMAKE_COMMAND}" --build "${PROJECT_BINARY_DIR}" --target proxy_protocol_docs)
  set_tests_properties(doxygen_html_builds_without_warnings PROPERTIES LABELS docs TIMEOUT 300)
endif()

# Checks shared by the consumer projects: each failure stops the configure
# step with a message that says what a user of the library would have hit.
if(NOT EXPECTED_VERSION)
  message(FATAL_ERROR "pass -DEXPECTED_VERSION=MAJOR.MINOR.PATCH")
endif()

function(expect_equal actual expected what)
  if(NOT actual STREQUAL expected)
    message(FATAL_ERROR "${what}: expected '${expected}', got '${actual}'")
  endif()
endfunction()

# The library's target carries the include path and cxx_std_20 and nothing
# else: no warning flags, definitions, link options or libraries reach users.
function(expect_target_is_clean target)
  if(NOT TARGET ${target})
    message(FATAL_ERROR "target ${target} does not exist")
  endif()
  get_target_property(features ${target} INTERFACE_COMPILE_FEATURES)
  if(NOT "cxx_std_20" IN_LIST features)
    message(FATAL_ERROR "${target} does not require cxx_std_20 (INTERFACE_COMPILE_FEATURES: ${features})")
  endif()
  get_target_property(includes ${target} INTERFACE_INCLUDE_DIRECTORIES)
  if(NOT includes)
    message(FATAL_ERROR "${target} has no include directory")
  endif()
  foreach(property INTERFACE_COMPILE_OPTIONS INTERFACE_COMPILE_DEFINITIONS INTERFACE_LINK_OPTIONS
                   INTERFACE_LINK_LIBRARIES INTERFACE_LINK_DIRECTORIES)
    get_target_property(value ${target} ${property})
    if(value)
      message(FATAL_ERROR "${target} leaks ${property} into its users: ${value}")
    endif()
  endforeach()
endfunction()

# Embedded with add_subdirectory or FetchContent, the project adds no tests,
# examples, developer flags or install rules to its parent.
function(expect_subproject_is_quiet)
  foreach(target proxy_protocol_dev_flags proxy_protocol_tests)
    if(TARGET ${target})
      message(FATAL_ERROR "the embedded project created its internal target ${target}")
    endif()
  endforeach()
  foreach(option PROXY_PROTOCOL_BUILD_TESTS PROXY_PROTOCOL_BUILD_EXAMPLES PROXY_PROTOCOL_INSTALL)
    if(${option})
      message(FATAL_ERROR "${option} defaults to ON in an embedded project")
    endif()
  endforeach()
endfunction()

# The version file follows semantic versioning: the next minor version (a
# breaking change while the major version is 0) and the next major version are
# refused. Runs in a function so that the refusals do not touch the caller.
function(expect_version_rejected)
  string(REGEX MATCHALL "[0-9]+" parts "${EXPECTED_VERSION}")
  list(GET parts 0 major)
  list(GET parts 1 minor)
  math(EXPR next_major "${major} + 1")
  math(EXPR next_minor "${minor} + 1")
  set(refused "${next_major}.0")
  if(major EQUAL 0)
    list(APPEND refused "0.${next_minor}")
  endif()
  foreach(version IN LISTS refused)
    find_package(proxy_protocol ${version} CONFIG QUIET)
    if(proxy_protocol_FOUND)
      message(FATAL_ERROR "find_package(proxy_protocol ${version}) accepted version ${proxy_protocol_VERSION}")
    endif()
  endforeach()
endfunction()

# The package is architecture independent (a header): a consumer whose
# pointer size differs from the machine that installed it still finds it.
function(expect_architecture_independent)
  if(CMAKE_SIZEOF_VOID_P EQUAL 4)
    set(CMAKE_SIZEOF_VOID_P 8)
  else()
    set(CMAKE_SIZEOF_VOID_P 4)
  endif()
  find_package(proxy_protocol ${EXPECTED_VERSION} CONFIG QUIET)
  if(NOT proxy_protocol_FOUND)
    message(FATAL_ERROR "a consumer with ${CMAKE_SIZEOF_VOID_P}-byte pointers does not accept the package")
  endif()
endfunction()

# The consumer is compiled with strict warnings as errors (the header must be
# clean in users' builds too) and told which version it must see.
function(add_consumer_checks target)
  target_compile_definitions(${target} PRIVATE "EXPECTED_VERSION=\"${EXPECTED_VERSION}\"")
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror)
endfunction()

# cmake -DSOURCE_DIR=<repository> -P cmake/check_changelog.cmake
# The newest version in CHANGELOG.md ("## [x.y.z] ...") is the header's
# version, and PROXY_PROTOCOL_VERSION_STRING agrees with the three macros.
file(STRINGS "${SOURCE_DIR}/include/proxy_protocol.hpp" lines
     REGEX "^#define PROXY_PROTOCOL_VERSION_(MAJOR|MINOR|PATCH|STRING) ")
foreach(line IN LISTS lines)
  if(line MATCHES "^#define PROXY_PROTOCOL_VERSION_([A-Z]+) \"?([0-9.]+)\"?$")
    set(version_${CMAKE_MATCH_1} "${CMAKE_MATCH_2}")
  endif()
endforeach()
set(version "${version_MAJOR}.${version_MINOR}.${version_PATCH}")
if(NOT version_STRING STREQUAL version)
  message(FATAL_ERROR "PROXY_PROTOCOL_VERSION_STRING is '${version_STRING}', the macros say ${version}")
endif()
file(STRINGS "${SOURCE_DIR}/CHANGELOG.md" headings REGEX "^## \\[[0-9]+\\.[0-9]+\\.[0-9]+\\]")
list(GET headings 0 newest)
string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" newest_version "${newest}")
if(NOT newest_version STREQUAL version)
  message(FATAL_ERROR "CHANGELOG.md's newest section is ${newest_version}, the header is ${version}: "
                      "add a '## [${version}] - <date>' section")
endif()
message(STATUS "CHANGELOG.md and the header agree on ${version}")

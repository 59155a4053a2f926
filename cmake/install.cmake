# Install rules, CMake package export, pkg-config file and the Debian package.
# Included from the top-level CMakeLists.txt (issue #8). Everything installed is
# architecture independent: the header, the CMake package files under
# share/cmake/proxy_protocol and proxy_protocol.pc under share/pkgconfig.
include(CMakePackageConfigHelpers)

set(PROXY_PROTOCOL_CMAKE_DIR "${CMAKE_INSTALL_DATADIR}/cmake/proxy_protocol"
    CACHE STRING "Where to install the CMake package files, relative to the prefix")
set(PROXY_PROTOCOL_PKGCONFIG_DIR "${CMAKE_INSTALL_DATADIR}/pkgconfig"
    CACHE STRING "Where to install proxy_protocol.pc, relative to the prefix")

install(FILES "${PROJECT_SOURCE_DIR}/include/proxy_protocol.hpp" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        COMPONENT development)
install(TARGETS proxy_protocol EXPORT proxy_protocolTargets COMPONENT development)
install(EXPORT proxy_protocolTargets NAMESPACE proxy_protocol:: DESTINATION "${PROXY_PROTOCOL_CMAKE_DIR}"
        COMPONENT development)

configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/proxy_protocolConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/proxy_protocolConfig.cmake"
  INSTALL_DESTINATION "${PROXY_PROTOCOL_CMAKE_DIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
# Semantic versioning: from 1.0 on, any release with the same major version is
# compatible; before 1.0 (semver item 4) only the same minor version is.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_pp_compatibility SameMinorVersion)
else()
  set(_pp_compatibility SameMajorVersion)
endif()
write_basic_package_version_file("${PROJECT_BINARY_DIR}/proxy_protocolConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY ${_pp_compatibility}
  ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/proxy_protocolConfig.cmake"
              "${PROJECT_BINARY_DIR}/proxy_protocolConfigVersion.cmake"
        DESTINATION "${PROXY_PROTOCOL_CMAKE_DIR}" COMPONENT development)

# proxy_protocol.pc is written at install time, so that the prefix in it is the
# one actually installed to (`cmake --install build --prefix DIR` included).
# No -std flag in Cflags: users pick their own C++20-or-later standard.
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(_pp_pc_includedir "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(_pp_pc_includedir "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
if(IS_ABSOLUTE "${PROXY_PROTOCOL_PKGCONFIG_DIR}")
  set(_pp_pc_destination "${PROXY_PROTOCOL_PKGCONFIG_DIR}")
else()
  set(_pp_pc_destination "\${CMAKE_INSTALL_PREFIX}/${PROXY_PROTOCOL_PKGCONFIG_DIR}")
endif()
# One scratch file per destination, so that installs to different prefixes
# from the same build tree (tests run in parallel) cannot mix their files.
install(CODE "
  set(PROJECT_DESCRIPTION [==[${PROJECT_DESCRIPTION}]==])
  set(PROJECT_HOMEPAGE_URL [==[${PROJECT_HOMEPAGE_URL}]==])
  set(PROJECT_VERSION [==[${PROJECT_VERSION}]==])
  set(PKGCONFIG_INCLUDEDIR [==[${_pp_pc_includedir}]==])
  set(PKGCONFIG_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  string(MD5 _pp_pc_key \"\$ENV{DESTDIR}|\${CMAKE_INSTALL_PREFIX}\")
  set(_pp_pc_file \"${PROJECT_BINARY_DIR}/pkgconfig/\${_pp_pc_key}/proxy_protocol.pc\")
  configure_file([==[${CMAKE_CURRENT_LIST_DIR}/proxy_protocol.pc.in]==] \"\${_pp_pc_file}\" @ONLY)
  file(INSTALL DESTINATION \"${_pp_pc_destination}\" TYPE FILE FILES \"\${_pp_pc_file}\")
" COMPONENT development)

# Documentation that ships with the header (cmake/packaging.cmake puts the same
# files in the Debian package's own documentation directory).
set(PROXY_PROTOCOL_DOC_FILES "${CMAKE_CURRENT_LIST_DIR}/debian/copyright")
foreach(_pp_doc CHANGELOG.md README.md LICENSE docs/cheatsheet.md)
  if(EXISTS "${PROJECT_SOURCE_DIR}/${_pp_doc}")
    list(APPEND PROXY_PROTOCOL_DOC_FILES "${PROJECT_SOURCE_DIR}/${_pp_doc}")
  endif()
endforeach()
install(FILES ${PROXY_PROTOCOL_DOC_FILES} DESTINATION "${CMAKE_INSTALL_DOCDIR}" COMPONENT documentation)

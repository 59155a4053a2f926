# CPack: the Debian package libproxy-protocol-dev (Architecture: all).
#   cmake --workflow --preset deb     or     cpack --config build/<dir>/CPackConfig.cmake
# The package installs under /usr: the header in /usr/include, the CMake
# package in /usr/share/cmake/proxy_protocol, proxy_protocol.pc in
# /usr/share/pkgconfig, documentation in /usr/share/doc/libproxy-protocol-dev.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "libproxy-protocol-dev")
set(CPACK_PACKAGE_VENDOR "The proxy_protocol.hpp authors")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_PACKAGE_CONTACT "The proxy_protocol.hpp authors <proxy-protocol@example.invalid>")
# The install rules run with DESTDIR and the real prefix /usr, so that the
# pkg-config file written at install time names /usr, not the staging area.
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_INSTALL_PREFIX "/usr")
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGE_DIRECTORY "${PROJECT_BINARY_DIR}/packages")
set(CPACK_STRIP_FILES OFF)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # libproxy-protocol-dev_<version>_all.deb
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "all")
set(CPACK_DEBIAN_PACKAGE_SECTION "libdevel")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "pkg-config, cmake (>= 3.25)")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "proxy_protocol.hpp reads and writes HAProxy's PROXY protocol headers
(version 1 text lines and version 2 binary headers with TLVs, CRC32C and
SSL information): detection, strict zero-copy parsing and builders into
caller memory, without allocation or exceptions.

This package contains the header, a CMake package
(find_package(proxy_protocol), target proxy_protocol::proxy_protocol) and
a pkg-config file. It needs a C++20 compiler (GCC 12, Clang 14 or newer).")
# The package holds the `development` component and, instead of the plain
# install's documentation directory, /usr/share/doc/<package> (Debian policy:
# the copyright file lives there).
install(FILES ${PROXY_PROTOCOL_DOC_FILES} DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/doc/${CPACK_PACKAGE_NAME}"
        COMPONENT debian_documentation EXCLUDE_FROM_ALL)
# Debian policy 12.7: a native package's changelog.gz, in Debian's format; it
# points to CHANGELOG.md for the details.
find_program(PROXY_PROTOCOL_GZIP gzip)
if(PROXY_PROTOCOL_GZIP)
  string(TIMESTAMP _pp_changelog_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
  set(_pp_changelog_dir "${PROJECT_BINARY_DIR}/debian")
  file(WRITE "${_pp_changelog_dir}/changelog"
       "${CPACK_PACKAGE_NAME} (${PROJECT_VERSION}) unstable; urgency=medium\n\n"
       "  * proxy_protocol.hpp ${PROJECT_VERSION}; the changes are in CHANGELOG.md.\n\n"
       " -- ${CPACK_PACKAGE_CONTACT}  ${_pp_changelog_date}\n")
  execute_process(COMMAND "${PROXY_PROTOCOL_GZIP}" -9nf "${_pp_changelog_dir}/changelog")
  install(FILES "${_pp_changelog_dir}/changelog.gz" DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/doc/${CPACK_PACKAGE_NAME}"
          COMPONENT debian_documentation EXCLUDE_FROM_ALL)
endif()
set(CPACK_COMPONENTS_ALL development debian_documentation)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)  # one package of the listed components
include(CPack)

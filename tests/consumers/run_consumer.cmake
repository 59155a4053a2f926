# Drives one consumer test (cmake -P). Each mode is what a user does to get the
# library into a build, followed by compiling and running consumer.cpp.
#
#   cmake -DMODE=<mode> -DSOURCE_DIR=<repository> -DBUILD_DIR=<configured build tree>
#         -DWORK_DIR=<scratch> -DVERSION=x.y.z -DCXX=<compiler> -DGENERATOR=<generator>
#         [-DPREFIX=<install prefix>] [-DCPACK=<cpack>] [-DDEB_ROOT=<scratch root>] -P run_consumer.cmake
#
# Modes: install, find_package, add_subdirectory, fetchcontent, pkg_config,
# single_header, deb, deb_find_package, deb_pkg_config. Nothing here uses the
# network.
cmake_minimum_required(VERSION 3.25)
foreach(variable MODE SOURCE_DIR BUILD_DIR WORK_DIR VERSION CXX GENERATOR)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "run_consumer.cmake: -D${variable}=... is missing")
  endif()
endforeach()
set(consumers_dir "${CMAKE_CURRENT_LIST_DIR}")

# Runs a command; stops the test with `what` and the command's output on failure.
function(run what)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "WORKING_DIRECTORY;OUTPUT_VARIABLE" "COMMAND")
  if(NOT arg_WORKING_DIRECTORY)
    set(arg_WORKING_DIRECTORY "${WORK_DIR}")
  endif()
  string(JOIN " " shown ${arg_COMMAND})
  message(STATUS "[${MODE}] ${what}: ${shown}")
  execute_process(COMMAND ${arg_COMMAND} WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}"
                  RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "[${MODE}] ${what} failed (${result}):\n${output}")
  endif()
  if(arg_OUTPUT_VARIABLE)
    string(STRIP "${output}" output)
    set(${arg_OUTPUT_VARIABLE} "${output}" PARENT_SCOPE)
  else()
    message("${output}")
  endif()
endfunction()

function(expect_equal_text actual expected what)
  if(NOT actual STREQUAL expected)
    message(FATAL_ERROR "[${MODE}] ${what}: expected '${expected}', got '${actual}'")
  endif()
endfunction()

function(expect_file path)
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "[${MODE}] missing: ${path}")
  endif()
endfunction()

function(expect_same_header path)
  expect_file("${path}")
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${SOURCE_DIR}/include/proxy_protocol.hpp" "${path}"
                  RESULT_VARIABLE different)
  if(different)
    message(FATAL_ERROR "[${MODE}] ${path} differs from include/proxy_protocol.hpp")
  endif()
endfunction()

# Configures, builds and runs one of the consumer CMake projects.
function(cmake_consumer project)
  set(build "${WORK_DIR}/${project}-build")
  run("configure the ${project} consumer" COMMAND ${CMAKE_COMMAND} -S "${consumers_dir}/${project}" -B "${build}"
      -G "${GENERATOR}" "-DCMAKE_CXX_COMPILER=${CXX}" "-DEXPECTED_VERSION=${VERSION}" ${ARGN})
  run("build the ${project} consumer" COMMAND ${CMAKE_COMMAND} --build "${build}")
  run("run the ${project} consumer" COMMAND "${build}/consumer")
endfunction()

# Asks pkg-config (searching only `libdir`, files seen through `sysroot`) for
# the flags, then compiles and runs consumer.cpp with the plain compiler.
function(pkg_config_consumer libdir sysroot expected_include)
  find_program(PKG_CONFIG_EXECUTABLE NAMES pkg-config pkgconf REQUIRED)
  set(environment ${CMAKE_COMMAND} -E env "PKG_CONFIG_LIBDIR=${libdir}" --unset=PKG_CONFIG_PATH)
  if(sysroot)
    list(APPEND environment "PKG_CONFIG_SYSROOT_DIR=${sysroot}")
  else()
    list(APPEND environment --unset=PKG_CONFIG_SYSROOT_DIR)
  endif()
  run("pkg-config version" COMMAND ${environment} ${PKG_CONFIG_EXECUTABLE} --modversion proxy_protocol
      OUTPUT_VARIABLE modversion)
  if(NOT modversion STREQUAL VERSION)
    message(FATAL_ERROR "[${MODE}] pkg-config --modversion says '${modversion}', expected '${VERSION}'")
  endif()
  run("pkg-config flags" COMMAND ${environment} ${PKG_CONFIG_EXECUTABLE} --cflags proxy_protocol
      OUTPUT_VARIABLE cflags)
  separate_arguments(cflags UNIX_COMMAND "${cflags}")
  if(NOT "-I${expected_include}" IN_LIST cflags)
    message(FATAL_ERROR "[${MODE}] pkg-config --cflags gave '${cflags}', expected -I${expected_include}")
  endif()
  run("compile with ${CXX} and the pkg-config flags" COMMAND "${CXX}" -std=c++20 ${cflags}
      -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror "-DEXPECTED_VERSION=\"${VERSION}\""
      "${consumers_dir}/consumer.cpp" -o "${WORK_DIR}/pkg-config-consumer")
  run("run the pkg-config consumer" COMMAND "${WORK_DIR}/pkg-config-consumer")
endfunction()

# The files a release archive of the tree would hold: what git tracks or would
# track, or, without git, everything but build trees and caches.
function(list_source_files out)
  find_program(GIT_EXECUTABLE git)
  if(GIT_EXECUTABLE AND EXISTS "${SOURCE_DIR}/.git")
    execute_process(COMMAND "${GIT_EXECUTABLE}" ls-files --cached --others --exclude-standard
                    WORKING_DIRECTORY "${SOURCE_DIR}" RESULT_VARIABLE result OUTPUT_VARIABLE files)
  endif()
  if(GIT_EXECUTABLE AND EXISTS "${SOURCE_DIR}/.git" AND result EQUAL 0)
    string(REPLACE "\n" ";" files "${files}")
    list(FILTER files EXCLUDE REGEX "^$")
  else()
    file(GLOB_RECURSE files RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/*")
    list(FILTER files EXCLUDE REGEX "^(build|build-[^/]*|out|\\.git)/|__pycache__/")
  endif()
  set(existing)
  foreach(file IN LISTS files)
    if(EXISTS "${SOURCE_DIR}/${file}" AND NOT IS_DIRECTORY "${SOURCE_DIR}/${file}")
      list(APPEND existing "${file}")
    endif()
  endforeach()
  set(${out} "${existing}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

if(MODE STREQUAL "install")
  # `cmake --install` into a scratch prefix; the other modes then use it.
  if(NOT PREFIX)
    message(FATAL_ERROR "install: -DPREFIX=... is missing")
  endif()
  file(REMOVE_RECURSE "${PREFIX}")
  run("install" COMMAND ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${PREFIX}" --component development)
  expect_same_header("${PREFIX}/include/proxy_protocol.hpp")
  foreach(file proxy_protocolConfig.cmake proxy_protocolConfigVersion.cmake proxy_protocolTargets.cmake)
    expect_file("${PREFIX}/share/cmake/proxy_protocol/${file}")
  endforeach()
  file(STRINGS "${PREFIX}/share/pkgconfig/proxy_protocol.pc" prefix_line REGEX "^prefix=")
  if(NOT prefix_line STREQUAL "prefix=${PREFIX}")
    message(FATAL_ERROR "install: proxy_protocol.pc says '${prefix_line}', expected 'prefix=${PREFIX}'")
  endif()
elseif(MODE STREQUAL "find_package")
  cmake_consumer(find_package "-DCMAKE_PREFIX_PATH=${PREFIX}"
                 "-DEXPECTED_PACKAGE_DIR=${PREFIX}/share/cmake/proxy_protocol")
elseif(MODE STREQUAL "add_subdirectory")
  cmake_consumer(add_subdirectory "-DPROXY_PROTOCOL_SOURCE_DIR=${SOURCE_DIR}")
elseif(MODE STREQUAL "fetchcontent")
  list_source_files(files)
  list(LENGTH files count)
  set(archive "${WORK_DIR}/proxy_protocol-${VERSION}.tar.gz")
  file(WRITE "${WORK_DIR}/files.txt" "")
  foreach(file IN LISTS files)
    file(APPEND "${WORK_DIR}/files.txt" "${file}\n")
  endforeach()
  run("archive ${count} files of the source tree" COMMAND ${CMAKE_COMMAND} -E tar czf "${archive}"
      "--files-from=${WORK_DIR}/files.txt" WORKING_DIRECTORY "${SOURCE_DIR}")
  file(SHA256 "${archive}" sha256)
  cmake_consumer(fetchcontent "-DPROXY_PROTOCOL_ARCHIVE=${archive}" "-DPROXY_PROTOCOL_ARCHIVE_SHA256=${sha256}"
                 -DFETCHCONTENT_FULLY_DISCONNECTED=OFF)
elseif(MODE STREQUAL "pkg_config")
  pkg_config_consumer("${PREFIX}/share/pkgconfig" "" "${PREFIX}/include")
elseif(MODE STREQUAL "single_header")
  # The one file copied into an otherwise empty folder, compiled with -I.
  set(folder "${WORK_DIR}/app")
  file(COPY "${SOURCE_DIR}/include/proxy_protocol.hpp" "${consumers_dir}/consumer.cpp" DESTINATION "${folder}")
  run("compile next to the copied header" COMMAND "${CXX}" -std=c++20 -I.
      -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror "-DEXPECTED_VERSION=\"${VERSION}\""
      consumer.cpp -o consumer WORKING_DIRECTORY "${folder}")
  run("run the single-header consumer" COMMAND "${folder}/consumer")
elseif(MODE STREQUAL "deb")
  # The Debian package, checked and unpacked into a scratch root as `dpkg -x`
  # does (the deb_* modes then use it).
  find_program(DPKG_DEB dpkg-deb REQUIRED)
  if(NOT CPACK)
    message(FATAL_ERROR "deb: -DCPACK=<cpack executable> is missing")
  endif()
  run("make the package" COMMAND "${CPACK}" -G DEB --config "${BUILD_DIR}/CPackConfig.cmake"
      -B "${WORK_DIR}/packages")
  file(GLOB debs "${WORK_DIR}/packages/*.deb")
  list(LENGTH debs count)
  if(NOT count EQUAL 1)
    message(FATAL_ERROR "deb: expected one package, got: ${debs}")
  endif()
  get_filename_component(deb_name "${debs}" NAME)
  expect_equal_text("${deb_name}" "libproxy-protocol-dev_${VERSION}_all.deb" "package file name")
  foreach(field Package Version Architecture Section)
    run("read ${field}" COMMAND "${DPKG_DEB}" --field "${debs}" ${field} OUTPUT_VARIABLE value)
    set(fields_${field} "${value}")
  endforeach()
  if(NOT fields_Package STREQUAL "libproxy-protocol-dev" OR NOT fields_Version STREQUAL VERSION
     OR NOT fields_Architecture STREQUAL "all" OR NOT fields_Section STREQUAL "libdevel")
    message(FATAL_ERROR "deb: control fields Package=${fields_Package} Version=${fields_Version} "
                        "Architecture=${fields_Architecture} Section=${fields_Section}")
  endif()
  find_program(LINTIAN lintian)
  if(LINTIAN)
    run("Debian policy check" COMMAND "${LINTIAN}" --fail-on error,warning "${debs}")
  else()
    message(STATUS "[deb] lintian not installed: policy check left out (install-deps group packaging has it)")
  endif()
  if(NOT DEB_ROOT)
    message(FATAL_ERROR "deb: -DDEB_ROOT=<scratch root> is missing")
  endif()
  set(root "${DEB_ROOT}")
  file(REMOVE_RECURSE "${root}")
  run("unpack into a scratch root" COMMAND "${DPKG_DEB}" -x "${debs}" "${root}")
  file(GLOB_RECURSE packaged RELATIVE "${root}" "${root}/*")
  list(SORT packaged)
  set(expected_files
      usr/include/proxy_protocol.hpp
      usr/share/cmake/proxy_protocol/proxy_protocolConfig.cmake
      usr/share/cmake/proxy_protocol/proxy_protocolConfigVersion.cmake
      usr/share/cmake/proxy_protocol/proxy_protocolTargets.cmake
      usr/share/doc/libproxy-protocol-dev/changelog.gz
      usr/share/doc/libproxy-protocol-dev/copyright
      usr/share/pkgconfig/proxy_protocol.pc)
  foreach(file IN LISTS expected_files)
    expect_file("${root}/${file}")
  endforeach()
  foreach(file IN LISTS packaged)
    if(NOT file MATCHES "^usr/(include|share/(cmake/proxy_protocol|pkgconfig|doc/libproxy-protocol-dev))/")
      message(FATAL_ERROR "deb: unexpected file in the package: /${file}")
    endif()
  endforeach()
  expect_same_header("${root}/usr/include/proxy_protocol.hpp")
elseif(MODE STREQUAL "deb_find_package")
  # The unpacked package used through its CMake package...
  cmake_consumer(find_package "-DCMAKE_PREFIX_PATH=${DEB_ROOT}/usr"
                 "-DEXPECTED_PACKAGE_DIR=${DEB_ROOT}/usr/share/cmake/proxy_protocol")
elseif(MODE STREQUAL "deb_pkg_config")
  # ... and through its pkg-config file, seen from the scratch root.
  pkg_config_consumer("${DEB_ROOT}/usr/share/pkgconfig" "${DEB_ROOT}" "${DEB_ROOT}/usr/include")
else()
  message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()
message(STATUS "[${MODE}] passed")

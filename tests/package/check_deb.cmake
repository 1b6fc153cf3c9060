# Builds the Debian package from the build folder (cpack -G DEB), then checks
# what it holds (dpkg-deb -c / -I) and that the binary unpacked into a
# scratch root runs. Usage:
#   cmake -DBUILD_DIR=<build> -DVERSION=<x.y.z> -P check_deb.cmake
# REQUIRES: the web client is built (client-web/dist), as deploy/test.sh does.
set(out ${BUILD_DIR}/package-test)
file(REMOVE_RECURSE ${out})
file(MAKE_DIRECTORY ${out})
execute_process(COMMAND cpack -G DEB -B ${out} WORKING_DIRECTORY ${BUILD_DIR}
  RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cpack failed (${rc}):\n${log}")
endif()
execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE arch OUTPUT_STRIP_TRAILING_WHITESPACE)
set(deb ${out}/werkstatt_${VERSION}_${arch}.deb)
if(NOT EXISTS ${deb})
  file(GLOB found ${out}/*.deb)
  message(FATAL_ERROR "expected ${deb}, cpack made: ${found}")
endif()

execute_process(COMMAND dpkg-deb -c ${deb} OUTPUT_VARIABLE contents RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "dpkg-deb -c failed")
endif()
foreach(path
    "./usr/bin/werkstatt"
    "./usr/share/werkstatt/web/index.html"
    "./usr/lib/systemd/system/werkstatt.service"
    "./etc/werkstatt/werkstatt.toml"
    "./var/lib/werkstatt/"
    "./usr/share/doc/werkstatt/README.md")
  string(FIND "${contents}" " ${path}\n" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the package lacks ${path}:\n${contents}")
  endif()
endforeach()
# The build's precompressed variants ship beside the files (the server sends
# them with Content-Encoding): index.html and the main bundle, each as .gz and .br.
foreach(pattern "\\./usr/share/werkstatt/web/index\\.html\\.gz\n" "\\./usr/share/werkstatt/web/index\\.html\\.br\n"
                "\\./usr/share/werkstatt/web/assets/index-[^/\n]*\\.js\\.gz\n"
                "\\./usr/share/werkstatt/web/assets/index-[^/\n]*\\.js\\.br\n")
  if(NOT contents MATCHES "${pattern}")
    message(FATAL_ERROR "the package lacks a precompressed file (${pattern}); does `npm run build` run scripts/compress.mjs?\n${contents}")
  endif()
endforeach()
if(NOT contents MATCHES "-rwxr-xr-x root/root [^\n]* \\./usr/bin/werkstatt\n")
  message(FATAL_ERROR "/usr/bin/werkstatt is not an executable owned by root:\n${contents}")
endif()

execute_process(COMMAND dpkg-deb -I ${deb} OUTPUT_VARIABLE info RESULT_VARIABLE rc)
foreach(pattern "Package: werkstatt" "Version: ${VERSION}" "Architecture: ${arch}" "Depends: [^\n]*adduser"
                "Depends: [^\n]*librocksdb" " postinst" " prerm" " conffiles")
  if(NOT info MATCHES "${pattern}")
    message(FATAL_ERROR "dpkg-deb -I lacks '${pattern}':\n${info}")
  endif()
endforeach()

# Unpacked into a scratch root: the unit is hardened and notifies, the
# config points at the packaged client and state folder, the binary runs.
set(root ${out}/root)
execute_process(COMMAND dpkg-deb -x ${deb} ${root} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "dpkg-deb -x failed")
endif()
# The server uses a variant only if it is not older than its file: the
# package must keep that order (dpkg keeps whole seconds).
file(GLOB_RECURSE variants ${root}/usr/share/werkstatt/web/*.gz ${root}/usr/share/werkstatt/web/*.br)
foreach(variant ${variants})
  string(REGEX REPLACE "\\.(gz|br)$" "" original "${variant}")
  file(SIZE ${variant} packed)
  file(SIZE ${original} plain)
  file(TIMESTAMP ${variant} packed_time "%s" UTC)
  file(TIMESTAMP ${original} plain_time "%s" UTC)
  if(NOT packed LESS plain OR packed_time LESS plain_time)
    message(FATAL_ERROR "${variant}: ${packed} B at ${packed_time} beside ${plain} B at ${plain_time} (must be smaller and not older)")
  endif()
endforeach()
file(READ ${root}/usr/lib/systemd/system/werkstatt.service unit)
foreach(line "Type=notify" "WatchdogSec=" "StateDirectory=werkstatt" "ProtectSystem=strict" "NoNewPrivileges=yes"
             "User=werkstatt" "ExecStart=/usr/bin/werkstatt serve --config /etc/werkstatt/werkstatt.toml")
  string(FIND "${unit}" "${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "werkstatt.service lacks ${line}")
  endif()
endforeach()
file(READ ${root}/etc/werkstatt/werkstatt.toml config)
if(NOT config MATCHES "static-dir = \"/usr/share/werkstatt/web\"" OR NOT config MATCHES "data = \"/var/lib/werkstatt\"")
  message(FATAL_ERROR "werkstatt.toml does not point at the packaged client and state folder:\n${config}")
endif()
execute_process(COMMAND ${root}/usr/bin/werkstatt --version OUTPUT_VARIABLE version RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT version STREQUAL "werkstatt ${VERSION}\n")
  message(FATAL_ERROR "the packaged binary says '${version}' (${rc})")
endif()
message(STATUS "ok: ${deb}")

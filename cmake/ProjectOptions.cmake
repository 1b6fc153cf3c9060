# Flags live on INTERFACE targets that other targets link PRIVATE, so that
# nothing leaks into consumers and every flag is stated once with its reason.

add_library(werkstatt_warnings INTERFACE)
target_compile_options(werkstatt_warnings INTERFACE
  -Wall                 # the baseline every reviewer expects clean
  -Wextra               # unused parameters, sign/enum mismatches in comparisons
  -Wpedantic            # stay within ISO C++ so another compiler builds it too
  -Wshadow              # a shadowed local in a handler is a classic async bug
  -Wnon-virtual-dtor    # sessions and interfaces are deleted through base pointers
  -Wold-style-cast      # casts must say which kind they are
  -Wcast-align          # protobuf/wire buffers are reinterpreted; catch misalignment
  -Woverloaded-virtual  # a hidden overload silently changes which handler runs
  -Wnull-dereference    # flags paths the optimizer proved to be null
  -Wdouble-promotion    # board coordinates are doubles; float mixing loses precision
  -Wformat=2            # log format strings must match their arguments
  -Wimplicit-fallthrough  # switch over op kinds must not fall through by accident
)
if(WERKSTATT_WARNINGS_AS_ERRORS)
  target_compile_options(werkstatt_warnings INTERFACE -Werror)
endif()

# Sanitizers apply to every target of the build (they must, to link), so they
# go on an INTERFACE target that every werkstatt target links.
add_library(werkstatt_options INTERFACE)
if(WERKSTATT_SANITIZE)
  string(REPLACE ";" "," _werkstatt_san "${WERKSTATT_SANITIZE}")
  target_compile_options(werkstatt_options INTERFACE -fsanitize=${_werkstatt_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(werkstatt_options INTERFACE -fsanitize=${_werkstatt_san})
  # GCC's -Wmaybe-uninitialized misfires on instrumented code (libstdc++'s
  # std::regex in log_format.cpp with -fsanitize=address); the dev build
  # keeps the warning.
  target_compile_options(werkstatt_options INTERFACE $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
endif()

# Fuzzing: libFuzzer's coverage instrumentation on every werkstatt target, so
# the fuzzer sees branches in the libraries it drives; the fuzz executables
# add -fsanitize=fuzzer at link time (tests/fuzz/CMakeLists.txt).
if(WERKSTATT_BUILD_FUZZ)
  target_compile_options(werkstatt_options INTERFACE -fsanitize=fuzzer-no-link)
endif()

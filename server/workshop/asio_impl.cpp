// The compiled part of Boost.Asio, built once for the whole program
// (BOOST_ASIO_SEPARATE_COMPILATION, set on werkstatt_asio): every other
// translation unit that includes Asio then compiles only declarations and
// templates, which saves minutes per build on a two-core machine. Still
// header-only Boost: nothing is linked from a Boost library.
#include <boost/asio/impl/src.hpp>

// Beast's compiled part, built once for the program
// (BOOST_BEAST_SEPARATE_COMPILATION, set on werkstatt_net); see
// server/workshop/asio_impl.cpp for why.
#include <boost/beast/src.hpp>

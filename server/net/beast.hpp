#pragma once
// Namespace aliases and the error helper shared by the Beast code of this
// module (the only place Beast appears).
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace werkstatt::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Logs a failed asynchronous step at debug level, staying quiet about the
// normal ends of a connection (cancelled, closed by either side, timed out):
// they happen all day and are not faults.
void fail(beast::error_code ec, const char* what);

}  // namespace werkstatt::net

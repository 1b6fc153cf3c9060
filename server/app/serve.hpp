#pragma once
// `werkstatt serve`: the live server. Every setting is a flag and may also be
// given in a TOML file (--config FILE, keys named like the flags without the
// dashes, e.g. `port = 8080`, `allowed-origin = ["https://a.example"]`);
// flags win over the file, unknown keys are an error (exit code 2). The callback stores its process exit code in
// `exit_code`, which must outlive app.parse().
#include <CLI/CLI.hpp>

namespace werkstatt::app {
void add_serve_command(CLI::App& app, int& exit_code);
}

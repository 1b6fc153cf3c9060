#pragma once
// The offline journal subcommands (export, backup, restore, delete-workshop,
// inspect). Each callback stores its process exit code in `exit_code`, which
// must outlive app.parse().
#include <CLI/CLI.hpp>

namespace werkstatt::app {
void add_journal_commands(CLI::App& app, int& exit_code);
}

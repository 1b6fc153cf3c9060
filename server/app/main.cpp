// werkstatt: the server binary and its subcommands.
#include <CLI/CLI.hpp>

#include <iostream>

#include "journal_commands.hpp"
#include "serve.hpp"
#include "werkstatt/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"werkstatt — self-hosted server for live, facilitated brainstorm workshops", "werkstatt"};
  app.set_version_flag("--version", std::string("werkstatt ") + werkstatt::kVersion, "Print the version and exit");
  app.require_subcommand(0, 1);
  app.footer("Run 'werkstatt SUBCOMMAND --help' for the options of a subcommand.");
  int exit_code = 0;
  werkstatt::app::add_serve_command(app, exit_code);
  werkstatt::app::add_journal_commands(app, exit_code);

  CLI11_PARSE(app, argc, argv);
  if (app.get_subcommands().empty()) {
    std::cout << app.help();
    return 0;
  }
  return exit_code;
}

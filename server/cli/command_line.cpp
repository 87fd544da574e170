#include "server/cli/command_line.h"

namespace csm::server {

CommandLine parse_command_line(const std::vector<std::string>& args) {
  CommandLine cl;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](const std::string& flag) -> std::string {
      const auto eq = arg.find('=');
      if (eq != std::string::npos) return arg.substr(eq + 1);  // --flag=value
      if (i + 1 >= args.size()) throw UsageError(flag + " needs a value");
      return args[++i];
    };
    auto is = [&](const char* flag) {
      return arg == flag || arg.rfind(std::string(flag) + "=", 0) == 0;
    };
    if (is("--config")) {
      cl.config_file = value("--config");
    } else if (is("--set")) {
      cl.overrides.push_back(value("--set"));
    } else if (arg == "--help" || arg == "-h") {
      cl.help = true;
    } else if (arg == "--help-config") {
      cl.help_config = true;
    } else if (arg == "--print-config") {
      cl.print_config = true;
    } else if (arg == "--version") {
      cl.version = true;
    } else {
      throw UsageError("unknown argument '" + arg + "' (see --help)");
    }
  }
  return cl;
}

std::string usage_text() {
  return "usage: csm-server [--config FILE] [--set key.path=value ...]\n"
         "\n"
         "  --config FILE         JSON config (see configs/); defaults apply when omitted\n"
         "  --set key.path=value  override one key, e.g. --set server.port=9000 (repeatable)\n"
         "  --print-config        print the effective config as JSON and exit\n"
         "  --help-config         list every config key with type, default and meaning\n"
         "  --version             print the version and exit\n"
         "  --help                this text\n";
}

}  // namespace csm::server

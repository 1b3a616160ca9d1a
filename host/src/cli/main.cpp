// Entry point of the `ork` executable; everything happens in run_cli.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return ork::host::run_cli(argc, argv); }

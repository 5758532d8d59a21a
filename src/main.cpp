// mockd: a fast mock server for integration tests.
#include "cli/cli.h"

int main(int argc, char** argv) { return mockd::cli::run(argc, argv); }

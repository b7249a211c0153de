// Catch2 runs inside sc_main so that tests may elaborate and simulate SystemC
// modules; ctest starts one process per test case.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>
#include <systemc>

int sc_main(int argc, char* argv[]) { return Catch::Session().run(argc, argv); }

// Catch2 runs inside sc_main so that tests may elaborate and simulate SystemC
// modules; ctest starts one process per test case.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdlib>
#include <systemc>

int sc_main(int argc, char* argv[]) {
  return Catch::Session().run(argc, argv);
}

// Our own main: the kernel prints its banner before sc_main unless this is set,
// and the output should be the program's own.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}

#pragma once
// What built this binary: the project version and the git commit of its
// source tree ("…-dirty" with uncommitted changes, "unknown" outside git),
// read at build time. Every report and results database records both.
namespace qnnsim {

const char* qnnsim_version();
const char* qnnsim_commit();

}  // namespace qnnsim

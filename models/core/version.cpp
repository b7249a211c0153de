#include "core/version.h"

#include "qnnsim_commit.h"  // generated in the build tree by cmake/git_commit.cmake

namespace qnnsim {

const char* qnnsim_version() { return QNNSIM_VERSION; }
const char* qnnsim_commit() { return QNNSIM_GIT_COMMIT; }

}  // namespace qnnsim

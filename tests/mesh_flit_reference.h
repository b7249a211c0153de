#pragma once
// A flit-by-flit reference for the mesh's closed form (models/noc/mesh_routes.h):
// every link forwards one flit per cycle from a FIFO, a flit may take its next
// link `router_cycles` cycles after it took the last, and a multicast flit is
// copied at the router where its destinations' X-Y routes part. Routes are
// walked hop by hop from each destination's coordinates, not taken from the
// closed form's code, so the two are independent.
#include <cstdint>

#include "noc/mesh_routes.h"

namespace qnnsim::test {

// Cycles until the last flit reaches its last destination. To the PEs:
// the region's groups as route_to_pes forms them, `flits` flits each,
// injected at the buffer's router in an order shuffled by `seed`. Back to the
// buffer (`to_buffer`): every PE of the region sends `flits` flits. With
// mesh.slices the buffer is a slice beside every router (route_from_slices,
// route_to_slices), each joined to its router by a port of one flit a cycle.
int64_t mesh_flit_cycles(const MeshLayout& mesh, int64_t rows, int64_t cols, int64_t copies, bool to_buffer,
                         int64_t flits, int64_t router_cycles, unsigned seed);

}  // namespace qnnsim::test

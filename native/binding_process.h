#ifndef IOREACTOR_BINDING_PROCESS_H_
#define IOREACTOR_BINDING_PROCESS_H_

#include <napi.h>

namespace ioreactor {

// Adds spawnChild(), reapChild(), signalChild(), closeChildDescriptor(), readPipe() and
// writePipe() to the module exports: the native half of reactor.spawnProcess (src/process/).
// Registers the environment's cleanup hook that closes the child descriptors JavaScript still
// holds, or hands them to the native orphan reaper (child_descriptors.h).
void ExportProcessFunctions(Napi::Env env, Napi::Object exports);

}  // namespace ioreactor

#endif  // IOREACTOR_BINDING_PROCESS_H_

#ifndef IOREACTOR_BINDING_PROCESS_H_
#define IOREACTOR_BINDING_PROCESS_H_

#include <napi.h>

namespace ioreactor {

// Adds spawnChild(), reapChild(), signalChild(), markOrphaned(), closeExitWatcher(), readPipe()
// and writePipe() to the module exports: the native half of reactor.spawnProcess
// (src/process/). Registers the environment's cleanup hook that hands the children its
// JavaScript orphan reaper still waits for to the native one (exit_watchers.h).
void ExportProcessFunctions(Napi::Env env, Napi::Object exports);

}  // namespace ioreactor

#endif  // IOREACTOR_BINDING_PROCESS_H_

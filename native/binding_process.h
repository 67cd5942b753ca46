#ifndef IOREACTOR_BINDING_PROCESS_H_
#define IOREACTOR_BINDING_PROCESS_H_

#include <napi.h>

namespace ioreactor {

// Adds spawnChild(), reapChild(), signalChild(), takeExitWatcher(), closeExitWatcher(),
// readPipe() and writePipe() to the module exports: the native half of reactor.spawnProcess
// (src/process/). Registers the environment's cleanup hook that hands the exit watchers
// JavaScript still holds to the native orphan reaper (exit_watchers.h).
void ExportProcessFunctions(Napi::Env env, Napi::Object exports);

}  // namespace ioreactor

#endif  // IOREACTOR_BINDING_PROCESS_H_

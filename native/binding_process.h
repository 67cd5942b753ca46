#ifndef IOREACTOR_BINDING_PROCESS_H_
#define IOREACTOR_BINDING_PROCESS_H_

#include <napi.h>

namespace ioreactor {

// Adds spawnChild(), reapChild(), signalChild(), readPipe() and writePipe() to the module
// exports: the native half of reactor.spawnProcess (src/process/).
void ExportProcessFunctions(Napi::Env env, Napi::Object exports);

}  // namespace ioreactor

#endif  // IOREACTOR_BINDING_PROCESS_H_

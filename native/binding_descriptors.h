#ifndef IOREACTOR_BINDING_DESCRIPTORS_H_
#define IOREACTOR_BINDING_DESCRIPTORS_H_

#include <napi.h>

namespace ioreactor {

// Adds openPipe(), openSocketPair() and closeDescriptor() to the module exports.
void ExportDescriptorFunctions(Napi::Env env, Napi::Object exports);

}  // namespace ioreactor

#endif  // IOREACTOR_BINDING_DESCRIPTORS_H_

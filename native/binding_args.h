// Reading JavaScript arguments in the binding's methods. Argument types are checked in
// TypeScript before any native call; these only convert.
#ifndef IOREACTOR_BINDING_ARGS_H_
#define IOREACTOR_BINDING_ARGS_H_

#include <errno.h>
#include <napi.h>

#include <string>

#include "poller.h"
#include "socket_ops.h"

namespace ioreactor {

inline Napi::Number Int(Napi::Env env, double value) { return Napi::Number::New(env, value); }

inline uint32_t U32(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Uint32Value(); }
inline int32_t I32(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }

inline Trigger TriggerArg(const Napi::CallbackInfo& info, size_t i) {
  const uint32_t t = U32(info, i);
  return t <= static_cast<uint32_t>(Trigger::kOneshot) ? static_cast<Trigger>(t) : Trigger::kLevel;
}

// (family, host-or-path, port) -> SocketAddress. A UNIX path arrives as a Buffer so that an
// abstract name's leading NUL survives. Returns 0 or -errno.
inline int AddressArg(const Napi::CallbackInfo& info, size_t i, SocketAddress* out) {
  const int family = I32(info, i);
  if (family == kFamilyUnix) {
    if (!info[i + 1].IsBuffer()) return -EINVAL;
    Napi::Buffer<char> path = info[i + 1].As<Napi::Buffer<char>>();
    return MakeUnixAddress(path.Data(), path.Length(), out);
  }
  std::string host = info[i + 1].ToString().Utf8Value();
  return MakeInetAddress(family, host.c_str(), I32(info, i + 2), out);
}

}  // namespace ioreactor

#endif  // IOREACTOR_BINDING_ARGS_H_

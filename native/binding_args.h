// Reading JavaScript arguments in the binding's methods. Argument types are checked in
// TypeScript before any native call; these only convert.
#ifndef IOREACTOR_BINDING_ARGS_H_
#define IOREACTOR_BINDING_ARGS_H_

#include <errno.h>
#include <napi.h>

#include <cstdint>
#include <string>

#include "poller.h"
#include "socket_ops.h"

namespace ioreactor {

inline Napi::Number Int(Napi::Env env, double value) { return Napi::Number::New(env, value); }
// A registration's name (slot * 2^32 + generation, exact in a double) or -errno.
inline Napi::Number Name(Napi::Env env, int64_t name) { return Napi::Number::New(env, static_cast<double>(name)); }

// Argument readers that never raise a JavaScript exception. Types are checked in TypeScript
// before any native call; should one still arrive wrong, it reads as a value the core refuses
// (an out-of-range slot, -1 for a descriptor), never as a pending exception that a later
// conversion would turn into a fatal error.
inline uint32_t U32(const Napi::CallbackInfo& info, size_t i) {
  uint32_t value = 0;
  return napi_get_value_uint32(info.Env(), info[i], &value) == napi_ok ? value : UINT32_MAX;
}
inline int32_t I32(const Napi::CallbackInfo& info, size_t i) {
  int32_t value = 0;
  return napi_get_value_int32(info.Env(), info[i], &value) == napi_ok ? value : -1;
}
inline bool Bool(const Napi::CallbackInfo& info, size_t i) {
  bool value = false;
  return napi_get_value_bool(info.Env(), info[i], &value) == napi_ok && value;
}
// A string argument as UTF-8, or false if it is not a string.
inline bool Utf8(const Napi::CallbackInfo& info, size_t i, std::string* out) {
  napi_env env = info.Env();
  size_t length = 0;
  if (napi_get_value_string_utf8(env, info[i], nullptr, 0, &length) != napi_ok) return false;
  out->resize(length + 1);
  if (napi_get_value_string_utf8(env, info[i], &(*out)[0], length + 1, &length) != napi_ok) return false;
  out->resize(length);
  return true;
}

inline Trigger TriggerArg(const Napi::CallbackInfo& info, size_t i) {
  const uint32_t t = U32(info, i);
  return t <= static_cast<uint32_t>(Trigger::kOneshot) ? static_cast<Trigger>(t) : Trigger::kLevel;
}

// The bytes of any ArrayBufferView (a Buffer, any typed array, a DataView), read through the
// view's own data pointer: that works for views over a SharedArrayBuffer too, whose buffer
// napi_get_arraybuffer_info refuses. Returns 0 or -EINVAL (not a view) / -EFAULT.
inline int BytesOf(napi_env env, napi_value value, const char** data, size_t* length) {
  void* pointer = nullptr;
  napi_value buffer;
  size_t offset;
  bool is = false;
  if (napi_is_typedarray(env, value, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t elements;
    if (napi_get_typedarray_info(env, value, &type, &elements, &pointer, &buffer, &offset) != napi_ok) return -EINVAL;
    size_t element_size = 1;
    switch (type) {
      case napi_int16_array:
      case napi_uint16_array:
        element_size = 2;
        break;
      case napi_int32_array:
      case napi_uint32_array:
      case napi_float32_array:
        element_size = 4;
        break;
      case napi_float64_array:
      case napi_bigint64_array:
      case napi_biguint64_array:
        element_size = 8;
        break;
      default:
        break;
    }
    *length = elements * element_size;
  } else if (napi_is_dataview(env, value, &is) == napi_ok && is) {
    if (napi_get_dataview_info(env, value, length, &pointer, &buffer, &offset) != napi_ok) return -EINVAL;
  } else {
    return -EINVAL;
  }
  if (pointer == nullptr && *length > 0) return -EFAULT;
  *data = static_cast<const char*>(pointer);
  return 0;
}
inline int BytesArg(const Napi::CallbackInfo& info, size_t i, const char** data, size_t* length) { return BytesOf(info.Env(), info[i], data, length); }

// (family, host-or-path, port) -> SocketAddress. A UNIX path arrives as a Buffer so that an
// abstract name's leading NUL survives. Returns 0 or -errno.
inline int AddressArg(const Napi::CallbackInfo& info, size_t i, SocketAddress* out) {
  const int family = I32(info, i);
  if (family == kFamilyUnix) {
    const char* path = nullptr;
    size_t length = 0;
    const int rc = BytesArg(info, i + 1, &path, &length);
    if (rc < 0) return rc;
    return MakeUnixAddress(path, length, out);
  }
  std::string host;
  if (!Utf8(info, i + 1, &host)) return -EINVAL;
  return MakeInetAddress(family, host.c_str(), I32(info, i + 2), out);
}

}  // namespace ioreactor

#endif  // IOREACTOR_BINDING_ARGS_H_

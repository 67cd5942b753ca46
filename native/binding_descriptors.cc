// Descriptor pairs for users of the raw descriptor API (self-pipes, tests, hand-written
// protocols): Node has no public way to create a pipe or socketpair without wrapping it in a
// stream. Both ends are non-blocking and close-on-exec.
#include "binding_descriptors.h"

#include <errno.h>
#include <fcntl.h>
#include <napi.h>
#include <sys/socket.h>
#include <unistd.h>

#include "socket_ops.h"

namespace ioreactor {
namespace {

// Returns [a, b] or a negative errno number.
Napi::Value PairOrError(Napi::Env env, int rc, int fds[2]) {
  if (rc < 0) return Napi::Number::New(env, -errno);
  for (int i = 0; i < 2; i++) {
    int err = SetNonBlockingCloexec(fds[i]);
    if (err < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      return Napi::Number::New(env, err);
    }
  }
  Napi::Array pair = Napi::Array::New(env, 2);
  pair.Set(0u, Napi::Number::New(env, fds[0]));
  pair.Set(1u, Napi::Number::New(env, fds[1]));
  return pair;
}

Napi::Value OpenPipe(const Napi::CallbackInfo& info) {
  int fds[2];
  return PairOrError(info.Env(), pipe(fds), fds);
}

Napi::Value OpenSocketPair(const Napi::CallbackInfo& info) {
  int fds[2];
  return PairOrError(info.Env(), socketpair(AF_UNIX, SOCK_STREAM, 0, fds), fds);
}

// closeDescriptor(fd): 0 or -errno. Unlike fs.closeSync, it does not warn inside a worker
// thread about descriptors the thread's fs module did not open.
Napi::Value CloseDescriptor(const Napi::CallbackInfo& info) {
  int32_t fd = -1;
  napi_get_value_int32(info.Env(), info[0], &fd);  // not a number: -1, refused by close() with EBADF
  return Napi::Number::New(info.Env(), ::close(fd) < 0 ? -errno : 0);
}

}  // namespace

void ExportDescriptorFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("openPipe", Napi::Function::New<OpenPipe>(env, "openPipe"));
  exports.Set("openSocketPair", Napi::Function::New<OpenSocketPair>(env, "openSocketPair"));
  exports.Set("closeDescriptor", Napi::Function::New<CloseDescriptor>(env, "closeDescriptor"));
}

}  // namespace ioreactor

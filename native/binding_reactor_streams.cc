// The stream methods of NativeReactor: listening, connecting, adopting, writing, closing and
// socket options for the sockets the core owns. Lifecycle and loop integration are in
// binding_reactor.cc.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "binding_args.h"
#include "binding_reactor.h"

namespace ioreactor {

// listen(family, hostOrPath, port, backlog, trigger, reusePort): name or -errno
Napi::Value NativeReactor::Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  SocketAddress address;
  int rc = AddressArg(info, 0, &address);
  if (rc < 0) return Int(env, rc);
  return Name(env, core_.Listen(address, I32(info, 3), Bool(info, 5), TriggerArg(info, 4)));
}

// connect(family, hostOrPath, port, bindFamily, bindHost, bindPort, trigger): name or -errno
// (bindFamily 0: no bind)
Napi::Value NativeReactor::Connect(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  SocketAddress address;
  int rc = AddressArg(info, 0, &address);
  if (rc < 0) return Int(env, rc);
  SocketAddress bind_address;
  const bool bind = I32(info, 3) != 0;
  if (bind) {
    rc = AddressArg(info, 3, &bind_address);
    if (rc < 0) return Int(env, rc);
  }
  const int64_t name = core_.Connect(address, bind ? &bind_address : nullptr, TriggerArg(info, 6));
  ScheduleIfPending();
  return Name(env, name);
}

// adopt(fd, listening: boolean, trigger): name or -errno. The descriptor is duplicated: the
// caller keeps (and must close) its own.
Napi::Value NativeReactor::Adopt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  const int fd = DuplicateNonBlocking(I32(info, 0));
  if (fd < 0) return Int(env, fd);
  const Trigger trigger = TriggerArg(info, 2);
  const int64_t name = Bool(info, 1) ? core_.AdoptListener(fd, trigger) : core_.AdoptStream(fd, trigger);
  if (name < 0) ::close(fd);
  ScheduleIfPending();
  return Name(env, name);
}

// write(slot, generation, bytes: ArrayBufferView): bytes still buffered, or -errno
Napi::Value NativeReactor::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  const char* data = nullptr;
  size_t length = 0;
  const int bytes = BytesArg(info, 2, &data, &length);
  if (bytes < 0) return Int(env, bytes);
  const iovec chunk{const_cast<char*>(data), length};
  const int64_t rc = core_.Write(U32(info, 0), U32(info, 1), &chunk, 1);
  ScheduleIfPending();
  return Int(env, static_cast<double>(rc));
}

// writev(slot, generation, chunks: ArrayBufferView[]): bytes still buffered, or -errno. Nothing
// is written unless every element is a view.
Napi::Value NativeReactor::WriteVector(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  bool is_array = false;
  uint32_t count = 0;
  if (napi_is_array(env, info[2], &is_array) != napi_ok || !is_array || napi_get_array_length(env, info[2], &count) != napi_ok) {
    return Int(env, -EINVAL);
  }
  write_chunks_.clear();
  for (uint32_t i = 0; i < count; i++) {
    napi_value element;
    if (napi_get_element(env, info[2], i, &element) != napi_ok) return Int(env, -EINVAL);
    const char* data = nullptr;
    size_t length = 0;
    const int bytes = BytesOf(env, element, &data, &length);
    if (bytes < 0) return Int(env, bytes);
    write_chunks_.push_back({const_cast<char*>(data), length});
  }
  const int64_t rc = core_.Write(U32(info, 0), U32(info, 1), write_chunks_.data(), write_chunks_.size());
  ScheduleIfPending();
  return Int(env, static_cast<double>(rc));
}

// stats(): the core's counters (see Counter), as a Float64Array in Counter order
Napi::Value NativeReactor::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Float64Array out = Napi::Float64Array::New(env, kCounterCount);
  const uint64_t* counters = core_.counters();
  for (int i = 0; i < kCounterCount; i++) out[i] = static_cast<double>(counters[i]);
  return out;
}

// closeStream(slot, generation, mode): 0 or -errno (mode: CloseMode)
Napi::Value NativeReactor::CloseStream(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  const uint32_t mode = U32(info, 2);
  if (mode > kCloseDiscard) return Int(env, -EINVAL);
  const int rc = core_.CloseStream(U32(info, 0), U32(info, 1), static_cast<CloseMode>(mode));
  ScheduleIfPending();
  return Int(env, rc);
}

Napi::Value NativeReactor::SetReading(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  const int rc = core_.SetReading(U32(info, 0), U32(info, 1), Bool(info, 2));
  ScheduleIfPending();
  return Int(env, rc);
}

Napi::Value NativeReactor::SetHalfClose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  return Int(env, core_.SetHalfClose(U32(info, 0), U32(info, 1), Bool(info, 2)));
}

Napi::Value NativeReactor::RequestDrain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  const int rc = core_.RequestDrain(U32(info, 0), U32(info, 1));
  ScheduleIfPending();
  return Int(env, rc);
}

Napi::Value NativeReactor::ResumeListener(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  return Int(env, core_.ResumeListener(U32(info, 0), U32(info, 1)));
}

Napi::Value NativeReactor::CloseListener(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, 0);
  return Int(env, core_.CloseListener(U32(info, 0), U32(info, 1)));
}

// socketOption(slot, generation, which, value?): which 1 = TCP_NODELAY, 2 = SO_KEEPALIVE. Sets
// when value is given; returns the current value (0/1) or -errno.
Napi::Value NativeReactor::SocketOption(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = core_.is_open() ? core_.SocketFd(U32(info, 0), U32(info, 1)) : -EBADF;
  if (fd < 0) return Int(env, fd);
  const int which = I32(info, 2);
  if (which != 1 && which != 2) return Int(env, -EINVAL);
  const int level = which == 1 ? IPPROTO_TCP : SOL_SOCKET;
  const int name = which == 1 ? TCP_NODELAY : SO_KEEPALIVE;
  if (info.Length() > 3 && !info[3].IsUndefined()) {
    const int rc = SetBoolOption(fd, level, name, Bool(info, 3));
    if (rc < 0) return Int(env, rc);
  }
  return Int(env, GetBoolOption(fd, level, name));
}

// address(slot, generation, peer): [family, host, port, scope] for TCP (scope: an IPv6
// address's scope id, else 0), [1, Buffer|null, 0, 0] for UNIX, or -errno
Napi::Value NativeReactor::Address(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = core_.is_open() ? core_.SocketFd(U32(info, 0), U32(info, 1)) : -EBADF;
  if (fd < 0) return Int(env, fd);
  sockaddr_storage ss;
  socklen_t length = sizeof ss;
  sockaddr* sa = reinterpret_cast<sockaddr*>(&ss);
  const int rc = Bool(info, 2) ? getpeername(fd, sa, &length) : getsockname(fd, sa, &length);
  if (rc < 0) return Int(env, -errno);
  Napi::Array out = Napi::Array::New(env, 4);
  out.Set(3u, Int(env, 0));
  char host[INET6_ADDRSTRLEN] = {0};
  if (sa->sa_family == AF_INET) {
    const auto* sin = reinterpret_cast<sockaddr_in*>(sa);
    inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
    out.Set(0u, Int(env, kFamilyIPv4));
    out.Set(1u, Napi::String::New(env, host));
    out.Set(2u, Int(env, ntohs(sin->sin_port)));
  } else if (sa->sa_family == AF_INET6) {
    const auto* sin6 = reinterpret_cast<sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
    out.Set(0u, Int(env, kFamilyIPv6));
    out.Set(1u, Napi::String::New(env, host));
    out.Set(2u, Int(env, ntohs(sin6->sin6_port)));
    out.Set(3u, Napi::Number::New(env, sin6->sin6_scope_id));
  } else {
    const auto* sun = reinterpret_cast<sockaddr_un*>(sa);
    const size_t header = offsetof(sockaddr_un, sun_path);
    size_t n = length > header ? length - header : 0;
    if (n > 0 && sun->sun_path[0] != '\0') n = strnlen(sun->sun_path, n);  // drop the terminator
    out.Set(0u, Int(env, kFamilyUnix));
    out.Set(1u, n == 0 ? env.Null() : Napi::Buffer<char>::Copy(env, sun->sun_path, n).As<Napi::Value>());
    out.Set(2u, Int(env, 0));
  }
  return out;
}

Napi::Value NativeReactor::Pending(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  return Int(env, static_cast<double>(core_.Pending(U32(info, 0), U32(info, 1))));
}

// sendDescriptor(slot, generation, fd): 0 or -errno. The core sends a copy: the caller keeps
// (and may close at once) its own.
Napi::Value NativeReactor::SendDescriptor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -ENOTCONN);
  const int fd = I32(info, 2);
  if (fd < 0) return Int(env, -EBADF);
  return Int(env, core_.SendDescriptor(U32(info, 0), U32(info, 1), fd));
}

// claimDescriptor(fd): 0 or -ENOENT. The received descriptor now belongs to JavaScript.
Napi::Value NativeReactor::ClaimDescriptor(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -ENOENT);
  return Int(env, core_.ClaimDescriptor(I32(info, 0)));
}

}  // namespace ioreactor

#include "native_reactor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>

#include <cstring>
#include <string>

#include "loop_watch.h"

namespace ioreactor {

namespace {

// When the kernel hands over a full batch, more are probably ready: take a few more batches
// in the same wake-up before returning to Node's loop, but not so many that Node's own
// timers and I/O wait behind a flood.
constexpr int kMaxBatchesPerWake = 4;
// Records produced while delivering (closes, drains) are delivered in follow-up calls; a
// protocol that keeps producing them gets the rest on the next loop turn.
constexpr int kMaxDeliveriesPerBatch = 4;

std::unique_ptr<Poller> NewPollerNamed(const std::string& name) {
  if (name == "poll") return NewPollPoller();
  if (name == kPlatformPollerName) return NewPlatformPoller();
  return nullptr;
}

Napi::Number Int(Napi::Env env, double value) { return Napi::Number::New(env, value); }

uint32_t U32(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Uint32Value(); }
int32_t I32(const Napi::CallbackInfo& info, size_t i) { return info[i].As<Napi::Number>().Int32Value(); }

Trigger TriggerArg(const Napi::CallbackInfo& info, size_t i) {
  const uint32_t t = U32(info, i);
  return t <= static_cast<uint32_t>(Trigger::kOneshot) ? static_cast<Trigger>(t) : Trigger::kLevel;
}

// (family, host-or-path, port) -> SocketAddress. A UNIX path arrives as a Buffer so that an
// abstract name's leading NUL survives. Returns 0 or -errno.
int AddressArg(const Napi::CallbackInfo& info, size_t i, SocketAddress* out) {
  const int family = I32(info, i);
  if (family == kFamilyUnix) {
    if (!info[i + 1].IsBuffer()) return -EINVAL;
    Napi::Buffer<char> path = info[i + 1].As<Napi::Buffer<char>>();
    return MakeUnixAddress(path.Data(), path.Length(), out);
  }
  std::string host = info[i + 1].ToString().Utf8Value();
  return MakeInetAddress(family, host.c_str(), I32(info, i + 2), out);
}

}  // namespace

Napi::Function NativeReactor::DefineClass(Napi::Env env) {
  return ObjectWrap::DefineClass(
      env, "NativeReactor",
      {
          InstanceMethod<&NativeReactor::Open>("open"),
          InstanceMethod<&NativeReactor::Add>("add"),
          InstanceMethod<&NativeReactor::Modify>("modify"),
          InstanceMethod<&NativeReactor::Remove>("remove"),
          InstanceMethod<&NativeReactor::Start>("start"),
          InstanceMethod<&NativeReactor::Stop>("stop"),
          InstanceMethod<&NativeReactor::Close>("close"),
          InstanceMethod<&NativeReactor::Listen>("listen"),
          InstanceMethod<&NativeReactor::Connect>("connect"),
          InstanceMethod<&NativeReactor::Adopt>("adopt"),
          InstanceMethod<&NativeReactor::Write>("write"),
          InstanceMethod<&NativeReactor::CloseStream>("closeStream"),
          InstanceMethod<&NativeReactor::SetReading>("setReading"),
          InstanceMethod<&NativeReactor::SetHalfClose>("setHalfClose"),
          InstanceMethod<&NativeReactor::RequestDrain>("requestDrain"),
          InstanceMethod<&NativeReactor::ResumeListener>("resumeListener"),
          InstanceMethod<&NativeReactor::CloseListener>("closeListener"),
          InstanceMethod<&NativeReactor::SocketOption>("socketOption"),
          InstanceMethod<&NativeReactor::Address>("address"),
          InstanceMethod<&NativeReactor::Pending>("pending"),
          InstanceAccessor<&NativeReactor::GetRecords>("records"),
          InstanceAccessor<&NativeReactor::GetArena>("arena"),
          InstanceAccessor<&NativeReactor::GetBackend>("backend"),
          InstanceAccessor<&NativeReactor::GetRegistrationCount>("registrationCount"),
      });
}

// new NativeReactor(onBatch: (count: number) => void)
NativeReactor::NativeReactor(const Napi::CallbackInfo& info) : ObjectWrap(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) {
    Napi::TypeError::New(env, "onBatch must be a function").ThrowAsJavaScriptException();
    return;
  }
  on_batch_ = Napi::Persistent(info[0].As<Napi::Function>());
  Napi::ArrayBuffer records = Napi::ArrayBuffer::New(env, sizeof(Record) * Batch::kRecordCapacity);
  Napi::ArrayBuffer arena = Napi::ArrayBuffer::New(env, Batch::kArenaSize);
  core_.AttachBatch(static_cast<Record*>(records.Data()), static_cast<uint8_t*>(arena.Data()));
  records_buffer_ = Napi::Persistent(records);
  arena_buffer_ = Napi::Persistent(arena);
}

NativeReactor::~NativeReactor() {
  // Finalizer backstop for a reactor that was never closed. The async context is left to
  // the environment: destroying it emits an async_hooks event, which must not happen in GC.
  async_context_ = nullptr;
  CloseAll();
}

// open(backend: string): 0 or -errno
Napi::Value NativeReactor::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (core_.is_open()) return Int(env, -EALREADY);
  std::unique_ptr<Poller> poller = NewPollerNamed(info[0].ToString().Utf8Value());
  if (poller == nullptr) return Int(env, -ENOSYS);
  int rc = core_.Open(std::move(poller));
  if (rc < 0) return Int(env, rc);
  int error = 0;
  watch_ = LoopWatch::Create(env, core_.notify_fd(), this, &error);
  if (watch_ == nullptr) {
    core_.Close();
    return Int(env, error);
  }
  if (napi_async_init(env, Value(), Napi::String::New(env, "ioreactor.Reactor"), &async_context_) != napi_ok) {
    async_context_ = nullptr;
  }
  return Int(env, 0);
}

// add(fd, interest, trigger): slot >= 0 or -errno
Napi::Value NativeReactor::Add(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  if (U32(info, 2) > static_cast<uint32_t>(Trigger::kOneshot)) return Int(env, -EINVAL);
  return Int(env, core_.Add(I32(info, 0), U32(info, 1), TriggerArg(info, 2)));
}

// modify(slot, interest): 0 or -errno
Napi::Value NativeReactor::Modify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  return Int(env, core_.Modify(U32(info, 0), U32(info, 1)));
}

// remove(slot): 0 or -errno
Napi::Value NativeReactor::Remove(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, 0);
  return Int(env, core_.Remove(U32(info, 0)));
}

// listen(family, hostOrPath, port, backlog, trigger): slot or -errno
Napi::Value NativeReactor::Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  SocketAddress address;
  int rc = AddressArg(info, 0, &address);
  if (rc < 0) return Int(env, rc);
  return Int(env, core_.Listen(address, I32(info, 3), TriggerArg(info, 4)));
}

// connect(family, hostOrPath, port, bindFamily, bindHost, bindPort, trigger): slot or -errno
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
  rc = core_.Connect(address, bind ? &bind_address : nullptr, TriggerArg(info, 6));
  ScheduleIfPending();
  return Int(env, rc);
}

// adopt(fd, listening: boolean, trigger): slot or -errno. The descriptor is duplicated: the
// caller keeps (and must close) its own.
Napi::Value NativeReactor::Adopt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  const int fd = DuplicateNonBlocking(I32(info, 0));
  if (fd < 0) return Int(env, fd);
  const Trigger trigger = TriggerArg(info, 2);
  const int slot = info[1].ToBoolean() ? core_.AdoptListener(fd, trigger) : core_.AdoptStream(fd, trigger);
  if (slot < 0) ::close(fd);
  return Int(env, slot);
}

// write(slot, bytes): bytes still buffered, or -errno
Napi::Value NativeReactor::Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  Napi::TypedArray bytes = info[1].As<Napi::TypedArray>();
  const char* data = static_cast<const char*>(bytes.ArrayBuffer().Data()) + bytes.ByteOffset();
  const int64_t rc = core_.Write(U32(info, 0), data, bytes.ByteLength());
  ScheduleIfPending();
  return Int(env, static_cast<double>(rc));
}

// closeStream(slot, mode): 0 or -errno (mode: CloseMode)
Napi::Value NativeReactor::CloseStream(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  const int rc = core_.CloseStream(U32(info, 0), static_cast<CloseMode>(U32(info, 1)));
  ScheduleIfPending();
  return Int(env, rc);
}

Napi::Value NativeReactor::SetReading(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  const int rc = core_.SetReading(U32(info, 0), info[1].ToBoolean());
  ScheduleIfPending();
  return Int(env, rc);
}

Napi::Value NativeReactor::SetHalfClose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  return Int(env, core_.SetHalfClose(U32(info, 0), info[1].ToBoolean()));
}

Napi::Value NativeReactor::RequestDrain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  const int rc = core_.RequestDrain(U32(info, 0));
  ScheduleIfPending();
  return Int(env, rc);
}

Napi::Value NativeReactor::ResumeListener(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  return Int(env, core_.ResumeListener(U32(info, 0)));
}

Napi::Value NativeReactor::CloseListener(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, 0);
  return Int(env, core_.CloseListener(U32(info, 0)));
}

// socketOption(slot, which, value?): which 1 = TCP_NODELAY, 2 = SO_KEEPALIVE. Sets when value
// is given; returns the current value (0/1) or -errno.
Napi::Value NativeReactor::SocketOption(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = core_.is_open() ? core_.SocketFd(U32(info, 0)) : -EBADF;
  if (fd < 0) return Int(env, fd);
  const int which = I32(info, 1);
  const int level = which == 1 ? IPPROTO_TCP : SOL_SOCKET;
  const int name = which == 1 ? TCP_NODELAY : SO_KEEPALIVE;
  if (info.Length() > 2 && !info[2].IsUndefined()) {
    const int rc = SetBoolOption(fd, level, name, info[2].ToBoolean());
    if (rc < 0) return Int(env, rc);
  }
  return Int(env, GetBoolOption(fd, level, name));
}

// address(slot, peer): [family, host, port] for TCP, [1, Buffer|null] for UNIX, or -errno
Napi::Value NativeReactor::Address(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int fd = core_.is_open() ? core_.SocketFd(U32(info, 0)) : -EBADF;
  if (fd < 0) return Int(env, fd);
  sockaddr_storage ss;
  socklen_t length = sizeof ss;
  sockaddr* sa = reinterpret_cast<sockaddr*>(&ss);
  const int rc = info[1].ToBoolean() ? getpeername(fd, sa, &length) : getsockname(fd, sa, &length);
  if (rc < 0) return Int(env, -errno);
  Napi::Array out = Napi::Array::New(env, 3);
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
  return Int(env, static_cast<double>(core_.Pending(U32(info, 0))));
}

// start(): begins watching; keeps the process alive until stop() or close().
Napi::Value NativeReactor::Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  if (running_) return Int(env, 0);
  int rc = watch_->Start();
  if (rc < 0) return Int(env, rc);
  running_ = true;
  Ref();  // a running reactor is reachable from the loop, whatever JavaScript holds
  core_.ArmNotify();
  ScheduleIfPending();
  return Int(env, 0);
}

Napi::Value NativeReactor::Stop(const Napi::CallbackInfo& info) {
  if (running_) {
    running_ = false;
    if (watch_ != nullptr) watch_->Stop();
    Unref();
  }
  return info.Env().Undefined();
}

Napi::Value NativeReactor::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (running_) {
    running_ = false;
    Unref();
  }
  if (async_context_ != nullptr) {
    napi_async_destroy(env, async_context_);
    async_context_ = nullptr;
  }
  CloseAll();
  return env.Undefined();
}

Napi::Value NativeReactor::GetRecords(const Napi::CallbackInfo& info) {
  return Napi::Int32Array::New(info.Env(), Batch::kRecordCapacity * 4, records_buffer_.Value(), 0);
}

Napi::Value NativeReactor::GetArena(const Napi::CallbackInfo& info) {
  return Napi::Buffer<uint8_t>::New(info.Env(), static_cast<uint8_t*>(arena_buffer_.Value().Data()), Batch::kArenaSize, [](Napi::Env, uint8_t*) {});
}

Napi::Value NativeReactor::GetBackend(const Napi::CallbackInfo& info) {
  if (!core_.is_open()) return info.Env().Null();
  return Napi::String::New(info.Env(), core_.poller().name());
}

Napi::Value NativeReactor::GetRegistrationCount(const Napi::CallbackInfo& info) {
  return Int(info.Env(), static_cast<double>(core_.registration_count()));
}

void NativeReactor::CloseAll() {
  if (watch_ != nullptr) {
    watch_->Close();
    watch_ = nullptr;
  }
  core_.Close();
}

void NativeReactor::Teardown() {
  running_ = false;  // the Ref() it held is released with the environment
  async_context_ = nullptr;
  CloseAll();
}

void NativeReactor::ScheduleIfPending() {
  if (running_ && !in_run_ && watch_ != nullptr && core_.is_open() && core_.HasPendingWork()) watch_->ScheduleIdle();
}

bool NativeReactor::Deliver(Napi::Env env) {
  const int count = core_.batch().count;
  core_.set_dispatching(true);
  on_batch_.MakeCallback(Value(), {Int(env, count)}, async_context_);
  core_.set_dispatching(false);
  if (env.IsExceptionPending()) {
    // The dispatcher catches everything a protocol throws; reaching this means the
    // dispatcher itself failed. Let Node report it as any uncaught exception.
    napi_fatal_exception(env, env.GetAndClearPendingException().Value());
    return false;
  }
  if (core_.is_open()) core_.Consumed(count);
  return true;
}

void NativeReactor::Run(bool poll_kernel) {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  in_run_ = true;
  for (int round = 0; round < kMaxBatchesPerWake && running_ && core_.is_open(); round++) {
    const int kernel_count = core_.Collect(0);
    if (kernel_count < 0) {
      // A failed wait: JavaScript reports it (as a system error) through the reactor's logger.
      on_batch_.MakeCallback(Value(), {Int(env, kernel_count)}, async_context_);
      break;
    }
    for (int d = 0; d < kMaxDeliveriesPerBatch && core_.is_open() && core_.batch().count > 0; d++) {
      if (!Deliver(env)) break;
      if (core_.is_open()) core_.FlushQueued();
    }
    if (!core_.is_open()) break;  // closed during dispatch
    core_.EndBatch();
    if (!poll_kernel || kernel_count < ReactorCore::kWaitCapacity) break;
  }
  in_run_ = false;
  if (running_ && core_.is_open()) {
    core_.ArmNotify();
    ScheduleIfPending();
  }
}

void NativeReactor::OnNotify() {
  if (!in_run_) Run(true);
}

void NativeReactor::OnIdle() {
  if (!in_run_) Run(false);
}

}  // namespace ioreactor

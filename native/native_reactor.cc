#include "native_reactor.h"

#include <errno.h>

#include <cstring>
#include <string>

#include "binding_args.h"
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

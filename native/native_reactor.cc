#include "native_reactor.h"

#include <errno.h>

#include <cstring>
#include <string>

#include "loop_watch.h"

namespace ioreactor {

namespace {

// When the kernel hands over a full batch, more are probably ready: take a few more batches
// in the same wake-up before returning to Node's loop, but not so many that Node's own
// timers and I/O wait behind a flood.
constexpr int kMaxBatchesPerWake = 4;

std::unique_ptr<Poller> NewPollerNamed(const std::string& name) {
  if (name == "poll") return NewPollPoller();
  if (name == kPlatformPollerName) return NewPlatformPoller();
  return nullptr;
}

Napi::Number Int(Napi::Env env, int value) { return Napi::Number::New(env, value); }

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
          InstanceAccessor<&NativeReactor::GetRecords>("records"),
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
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, sizeof(BatchRecord) * ReactorCore::kBatchCapacity);
  records_ = static_cast<BatchRecord*>(buffer.Data());
  records_buffer_ = Napi::Persistent(buffer);
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
  const int fd = info[0].As<Napi::Number>().Int32Value();
  const uint32_t interest = info[1].As<Napi::Number>().Uint32Value();
  const uint32_t trigger = info[2].As<Napi::Number>().Uint32Value();
  if (trigger > static_cast<uint32_t>(Trigger::kOneshot)) return Int(env, -EINVAL);
  return Int(env, core_.Add(fd, interest, static_cast<Trigger>(trigger)));
}

// modify(slot, interest): 0 or -errno
Napi::Value NativeReactor::Modify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  return Int(env, core_.Modify(info[0].As<Napi::Number>().Uint32Value(), info[1].As<Napi::Number>().Uint32Value()));
}

// remove(slot): 0 or -errno
Napi::Value NativeReactor::Remove(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, 0);
  return Int(env, core_.Remove(info[0].As<Napi::Number>().Uint32Value()));
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
  Napi::ArrayBuffer buffer = records_buffer_.Value();
  return Napi::Int32Array::New(info.Env(), ReactorCore::kBatchCapacity * 2, buffer, 0);
}

Napi::Value NativeReactor::GetBackend(const Napi::CallbackInfo& info) {
  if (!core_.is_open()) return info.Env().Null();
  return Napi::String::New(info.Env(), core_.poller().name());
}

Napi::Value NativeReactor::GetRegistrationCount(const Napi::CallbackInfo& info) {
  return Int(info.Env(), static_cast<int>(core_.registration_count()));
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

void NativeReactor::OnNotify() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  for (int round = 0; round < kMaxBatchesPerWake && running_ && !dispatching_; round++) {
    int kernel_count = 0;
    const int count = core_.Collect(records_, ReactorCore::kBatchCapacity, 0, &kernel_count);
    if (count != 0) {
      // A negative count is a failed wait: JavaScript reports it as a system error.
      dispatching_ = true;
      on_batch_.MakeCallback(Value(), {Int(env, count)}, async_context_);
      dispatching_ = false;
      if (env.IsExceptionPending()) {
        // The dispatcher catches everything a protocol throws; reaching this means the
        // dispatcher itself failed. Let Node report it as any uncaught exception.
        napi_fatal_exception(env, env.GetAndClearPendingException().Value());
      }
    }
    if (!core_.is_open()) return;  // closed during dispatch
    core_.EndBatch();
    if (count < 0 || kernel_count < ReactorCore::kBatchCapacity) break;
  }
  if (running_ && core_.is_open()) core_.ArmNotify();
}

}  // namespace ioreactor

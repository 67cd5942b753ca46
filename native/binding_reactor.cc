#include "binding_reactor.h"

#include <errno.h>
#include <sys/mman.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "binding_args.h"
#include "binding_loop_watch.h"

namespace ioreactor {

namespace {

// When the kernel hands over a full batch, more are probably ready: take a few more batches
// in the same wake-up before returning to Node's loop, but not so many that Node's own
// timers and I/O wait behind a flood.
constexpr int kMaxBatchesPerWake = 4;
// Records produced while delivering (closes, drains) are delivered in follow-up calls; a
// protocol that keeps producing them gets the rest on the next loop turn.
constexpr int kMaxDeliveriesPerBatch = 4;

// Batch memory comes straight from mmap, not the allocator: a closed or collected reactor gives
// it back to the system as soon as JavaScript drops its views (malloc would keep freed megabyte
// blocks in its heap), and pages a reactor never touches cost nothing. Falls back to an
// ordinary ArrayBuffer where external ones are not allowed. Empty on failure (an exception
// may then be pending).
Napi::ArrayBuffer NewBatchBuffer(Napi::Env env, size_t size) {
  void* memory = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
  if (memory != MAP_FAILED) {
    napi_value buffer;
    const auto unmap = [](napi_env, void* data, void* hint) { munmap(data, reinterpret_cast<size_t>(hint)); };
    if (napi_create_external_arraybuffer(env, memory, size, unmap, reinterpret_cast<void*>(size), &buffer) == napi_ok) {
      return Napi::ArrayBuffer(env, buffer);
    }
    munmap(memory, size);
  }
  return Napi::ArrayBuffer::New(env, size);
}

// A read arena made here, for when JavaScript has not handed one over (see SetArena): an
// ordinary ArrayBuffer, so that the garbage collector reclaims it as cheaply as any other.
// Empty on failure.
Napi::ArrayBuffer NewReadArena(Napi::Env env) {
  napi_value buffer;
  if (napi_create_arraybuffer(env, Batch::kArenaSize, nullptr, &buffer) != napi_ok) return Napi::ArrayBuffer();
  return Napi::ArrayBuffer(env, buffer);
}

std::unique_ptr<Poller> NewPollerNamed(const std::string& name) {
  if (name == "poll") return NewPollPoller();
  if (name == kPlatformPollerName) return NewPlatformPoller();
  return nullptr;
}

}  // namespace

Napi::Function NativeReactor::DefineClass(Napi::Env env) {
  return ObjectWrap::DefineClass(env, "NativeReactor",
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
                                     InstanceMethod<&NativeReactor::WriteVector>("writev"),
                                     InstanceMethod<&NativeReactor::Stats>("stats"),
                                     InstanceMethod<&NativeReactor::SetArena>("setArena"),
                                     InstanceMethod<&NativeReactor::CloseStream>("closeStream"),
                                     InstanceMethod<&NativeReactor::SetReading>("setReading"),
                                     InstanceMethod<&NativeReactor::SetHalfClose>("setHalfClose"),
                                     InstanceMethod<&NativeReactor::RequestDrain>("requestDrain"),
                                     InstanceMethod<&NativeReactor::ResumeListener>("resumeListener"),
                                     InstanceMethod<&NativeReactor::CloseListener>("closeListener"),
                                     InstanceMethod<&NativeReactor::SocketOption>("socketOption"),
                                     InstanceMethod<&NativeReactor::Address>("address"),
                                     InstanceMethod<&NativeReactor::Pending>("pending"),
                                     InstanceMethod<&NativeReactor::SendDescriptor>("sendDescriptor"),
                                     InstanceMethod<&NativeReactor::ClaimDescriptor>("claimDescriptor"),
                                     InstanceMethod<&NativeReactor::DatagramOpen>("datagramOpen"),
                                     InstanceMethod<&NativeReactor::DatagramAdopt>("datagramAdopt"),
                                     InstanceMethod<&NativeReactor::DatagramConnect>("datagramConnect"),
                                     InstanceMethod<&NativeReactor::DatagramWrite>("datagramWrite"),
                                     InstanceMethod<&NativeReactor::DatagramWriteBatch>("datagramWriteBatch"),
                                     InstanceMethod<&NativeReactor::DatagramClose>("datagramClose"),
                                     InstanceMethod<&NativeReactor::DatagramOptionValue>("datagramOption"),
                                     InstanceMethod<&NativeReactor::DatagramMembership>("datagramMembership"),
                                     InstanceMethod<&NativeReactor::DatagramInterface>("datagramInterface"),
                                     InstanceMethod<&NativeReactor::DatagramAddressOf>("datagramAddress"),
                                     InstanceAccessor<&NativeReactor::GetRecords>("records"),
                                     InstanceAccessor<&NativeReactor::GetArena>("arena"),
                                     InstanceAccessor<&NativeReactor::GetBackend>("backend"),
                                     InstanceAccessor<&NativeReactor::GetRegistrationCount>("registrationCount"),
                                     InstanceAccessor<&NativeReactor::GetHeldCount>("heldCount"),
                                 });
}

// new NativeReactor(onBatch: (count: number, arena?: ArrayBuffer) => number). onBatch returns
// the end of the arena it handed out as views (0 if none); `arena` is passed when reads have
// moved to a new one (see Batch). The caller must keep onBatch alive
// itself (see on_batch_).
NativeReactor::NativeReactor(const Napi::CallbackInfo& info) : ObjectWrap(info) {
  Napi::Env env = info.Env();
  if (!info[0].IsFunction()) {
    Napi::TypeError::New(env, "onBatch must be a function").ThrowAsJavaScriptException();
    return;
  }
  on_batch_ = Napi::Weak(info[0].As<Napi::Function>());
}

NativeReactor::~NativeReactor() {
  // Finalizer backstop for a reactor that was never closed. Node runs N-API finalizers after
  // the collection, not inside it, so the async context (whose destroy hook Node queues for a
  // later turn) can be freed here; nothing else would free it.
  DestroyAsyncContext();
  CloseAll();
}

void NativeReactor::DestroyAsyncContext() {
  if (async_context_ != nullptr) napi_async_destroy(Env(), async_context_);
  async_context_ = nullptr;
}

// open(backend: string): 0 or -errno
Napi::Value NativeReactor::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (core_.is_open()) return Int(env, -EALREADY);
  if (on_batch_.IsEmpty()) return Int(env, -EBADF);  // closed: a reactor is opened once
  std::string backend;
  if (!Utf8(info, 0, &backend)) return Int(env, -EINVAL);
  std::unique_ptr<Poller> poller = NewPollerNamed(backend);
  if (poller == nullptr) return Int(env, -ENOSYS);
  int rc = core_.Open(std::move(poller));
  if (rc < 0) return Int(env, rc);
  int error = 0;
  watch_ = LoopWatch::Create(env, core_.notify_fd(), this, &error);
  if (watch_ == nullptr) {
    core_.Close();
    return Int(env, error);
  }
  // The batch memory lives in ArrayBuffers that JavaScript views: a view kept by JavaScript
  // keeps its memory, and closing only drops the reactor's own references.
  Napi::ArrayBuffer records = NewBatchBuffer(env, sizeof(Record) * Batch::kRecordCapacity);
  Napi::ArrayBuffer arena = NewBatchBuffer(env, Batch::kArenaSize);
  if (env.IsExceptionPending() || records.IsEmpty() || arena.IsEmpty()) {
    CloseAll();
    return Int(env, -ENOMEM);
  }
  core_.AttachBatch(static_cast<Record*>(records.Data()), static_cast<uint8_t*>(arena.Data()));
  records_buffer_ = Napi::Persistent(records);
  arena_buffer_ = Napi::Persistent(arena);
  if (napi_async_init(env, Value(), Napi::String::New(env, "ioreactor.Reactor"), &async_context_) != napi_ok) {
    async_context_ = nullptr;
  }
  return Int(env, 0);
}

// add(fd, interest, trigger, owned?): name >= 0 or -errno. With `owned` true the core closes fd
// if it closes (close(), finalizer, environment teardown) while fd is still registered; remove()
// hands it back open (see ReactorCore::Add).
Napi::Value NativeReactor::Add(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  if (U32(info, 2) > static_cast<uint32_t>(Trigger::kOneshot)) return Int(env, -EINVAL);
  return Name(env, core_.Add(I32(info, 0), U32(info, 1), TriggerArg(info, 2), Bool(info, 3)));
}

// modify(slot, generation, interest): 0 or -errno
Napi::Value NativeReactor::Modify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  return Int(env, core_.Modify(U32(info, 0), U32(info, 1), U32(info, 2)));
}

// remove(slot, generation): 0 or -errno
Napi::Value NativeReactor::Remove(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, 0);
  return Int(env, core_.Remove(U32(info, 0), U32(info, 1)));
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
  on_batch_.Ref();
  core_.ArmNotify();
  ScheduleIfPending();
  return Int(env, 0);
}

void NativeReactor::ReleaseRunning() {
  if (!running_) return;
  running_ = false;
  Unref();
  if (!on_batch_.IsEmpty()) on_batch_.Unref();
}

Napi::Value NativeReactor::Stop(const Napi::CallbackInfo& info) {
  if (running_ && watch_ != nullptr) watch_->Stop();
  ReleaseRunning();
  return info.Env().Undefined();
}

Napi::Value NativeReactor::Close(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ReleaseRunning();
  DestroyAsyncContext();
  CloseAll();
  on_batch_.Reset();
  return env.Undefined();
}

Napi::Value NativeReactor::GetRecords(const Napi::CallbackInfo& info) {
  if (records_buffer_.IsEmpty()) return info.Env().Null();
  return Napi::Int32Array::New(info.Env(), Batch::kRecordCapacity * kRecordInts, records_buffer_.Value(), 0);
}

Napi::Value NativeReactor::GetArena(const Napi::CallbackInfo& info) {
  if (arena_buffer_.IsEmpty()) return info.Env().Null();
  return arena_buffer_.Value();
}

Napi::Value NativeReactor::GetBackend(const Napi::CallbackInfo& info) {
  if (!core_.is_open()) return info.Env().Null();
  return Napi::String::New(info.Env(), core_.poller().name());
}

Napi::Value NativeReactor::GetRegistrationCount(const Napi::CallbackInfo& info) { return Int(info.Env(), static_cast<double>(core_.registration_count())); }

Napi::Value NativeReactor::GetHeldCount(const Napi::CallbackInfo& info) { return Int(info.Env(), static_cast<double>(core_.held_count())); }

void NativeReactor::CloseAll() {
  if (watch_ != nullptr) {
    watch_->Close();
    watch_ = nullptr;
  }
  core_.Close();
  records_buffer_.Reset();
  arena_buffer_.Reset();
  arena_moved_ = false;
}

void NativeReactor::Teardown() {
  running_ = false;  // the references it held go with the environment
  DestroyAsyncContext();
  CloseAll();
}

void NativeReactor::ScheduleIfPending() {
  if (running_ && !in_run_ && watch_ != nullptr && core_.is_open() && core_.HasPendingWork()) watch_->ScheduleIdle();
}

bool NativeReactor::CallJavaScript(int argument, int32_t* returned) {
  // Plain N-API calls with their status checked: the C++ wrappers turn a failure into a
  // JavaScript error, and creating one in a terminating worker is a fatal error.
  napi_env env = Env();
  napi_value callback = nullptr;
  napi_value receiver = nullptr;
  napi_value args[2];
  size_t argc = 1;
  if (on_batch_.IsEmpty() || napi_get_reference_value(env, on_batch_, &callback) != napi_ok || callback == nullptr) return false;
  if (napi_get_reference_value(env, static_cast<napi_ref>(*this), &receiver) != napi_ok || receiver == nullptr) return false;
  if (napi_create_int32(env, argument, &args[0]) != napi_ok) return false;
  if (arena_moved_ && !arena_buffer_.IsEmpty()) {
    if (napi_get_reference_value(env, arena_buffer_, &args[1]) != napi_ok || args[1] == nullptr) return false;
    argc = 2;
  }
  napi_value result;
  if (napi_make_callback(env, async_context_, receiver, callback, argc, args, &result) == napi_ok) {
    if (argc == 2) arena_moved_ = false;
    if (returned != nullptr && napi_get_value_int32(env, result, returned) != napi_ok) *returned = -1;
    return true;
  }
  // The dispatcher guards every user callback, so an exception here is its own bug: report it
  // as Node reports any uncaught exception. In a terminating environment there is none to
  // report, and napi_fatal_exception declines to run.
  bool pending = false;
  napi_value error;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending && napi_get_and_clear_last_exception(env, &error) == napi_ok) {
    napi_fatal_exception(env, error);
  }
  return false;
}

bool NativeReactor::Deliver() {
  const int count = core_.batch().count;
  core_.set_dispatching(true);
  int32_t kept_end = -1;
  const bool ok = CallJavaScript(count, &kept_end);
  core_.set_dispatching(false);
  if (!core_.is_open()) return ok;
  // Views JavaScript may hold stay untouched; when it cannot say how far they reach, all of
  // this batch's reads are kept.
  core_.KeepArena(ok && kept_end >= 0 ? static_cast<size_t>(kept_end) : core_.batch().arena_used);
  // At most once: whatever happened in JavaScript, these records are never delivered again.
  core_.Consumed(count);
  return ok;
}

// setArena(arena: ArrayBuffer of ARENA_BYTES): 0 or -errno. Reads continue in `arena`, which
// JavaScript made (uninitialised, in its young generation: reclaimed by the cheapest collection,
// where memory made natively would be external and cost full collections).
Napi::Value NativeReactor::SetArena(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_.is_open()) return Int(env, -EBADF);
  bool is_arraybuffer = false;
  void* data = nullptr;
  size_t length = 0;
  if (napi_is_arraybuffer(env, info[0], &is_arraybuffer) != napi_ok || !is_arraybuffer) return Int(env, -EINVAL);
  if (napi_get_arraybuffer_info(env, info[0], &data, &length) != napi_ok || data == nullptr || length != Batch::kArenaSize) return Int(env, -EINVAL);
  UseArena(info[0].As<Napi::ArrayBuffer>());
  return Int(env, 0);
}

void NativeReactor::UseArena(Napi::ArrayBuffer arena) {
  core_.AttachArena(static_cast<uint8_t*>(arena.Data()));
  arena_buffer_ = Napi::Persistent(arena);
}

bool NativeReactor::ArenaDetached() {
  napi_value arena;
  bool detached = false;
  if (arena_buffer_.IsEmpty() || napi_get_reference_value(Env(), arena_buffer_, &arena) != napi_ok || arena == nullptr) return true;
  return napi_is_detached_arraybuffer(Env(), arena, &detached) != napi_ok || detached;
}

void NativeReactor::ReplaceArenaIfNeeded() {
  // JavaScript replaces the arena when its views have kept most of it; this is the backstop
  // (its callback failed), and the guard against an arena whose memory was taken away from
  // under us (transferred: its ArrayBuffer detached), which must never be written again.
  const bool detached = ArenaDetached();
  if (!detached && !core_.ArenaNeedsReplacing()) return;
  Napi::ArrayBuffer arena = NewReadArena(Env());
  if (arena.IsEmpty()) {
    // Out of memory: no reads until a later try succeeds (the kernel keeps the bytes).
    if (detached) core_.RetireArena();
    return;
  }
  UseArena(arena);
  arena_moved_ = true;
}

void NativeReactor::Run(bool poll_kernel) {
  napi_env env = Env();
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  in_run_ = true;
  for (int round = 0; round < kMaxBatchesPerWake && running_ && core_.is_open(); round++) {
    ReplaceArenaIfNeeded();
    const int kernel_count = core_.Collect(0);
    bool ok = true;
    for (int d = 0; ok && d < kMaxDeliveriesPerBatch && core_.is_open() && core_.batch().count > 0; d++) {
      ok = Deliver();
      if (core_.is_open()) core_.FlushQueued();
    }
    if (!core_.is_open()) break;  // closed during dispatch
    core_.EndBatch();
    // A failed wait is reported after what was collected before it; JavaScript logs it as a
    // system error through the reactor's logger.
    if (ok && kernel_count < 0) ok = CallJavaScript(kernel_count, nullptr);
    if (!ok || !poll_kernel || kernel_count < ReactorCore::kWaitCapacity) break;
  }
  in_run_ = false;
  if (running_ && core_.is_open()) {
    core_.ArmNotify();
    ScheduleIfPending();
  }
  napi_close_handle_scope(env, scope);
}

void NativeReactor::OnNotify() {
  if (!in_run_) Run(true);
}

void NativeReactor::OnIdle() {
  if (!in_run_) Run(false);
}

}  // namespace ioreactor

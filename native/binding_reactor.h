// The JavaScript face of one reactor: a ReactorCore plus its place in Node's event loop.
//
// Node's loop watches the poller's notify descriptor with one uv_poll. When it is readable the
// core drains the kernel with zero-timeout waits into a preallocated batch, and JavaScript is
// called once per batch (MakeCallback, so microtasks and async_hooks behave) to read the
// records from a shared Int32Array without further native calls.
#ifndef IOREACTOR_BINDING_REACTOR_H_
#define IOREACTOR_BINDING_REACTOR_H_

#include <napi.h>
#include <uv.h>

#include "reactor_core.h"

namespace ioreactor {

class LoopWatch;

class NativeReactor : public Napi::ObjectWrap<NativeReactor> {
 public:
  static Napi::Function DefineClass(Napi::Env env);

  explicit NativeReactor(const Napi::CallbackInfo& info);
  ~NativeReactor() override;

  // Called by the loop watch when the notify descriptor is readable.
  void OnNotify();
  // Called by the loop watch for work no kernel report announces.
  void OnIdle();
  // Called at environment teardown: close everything, synchronously where possible.
  void Teardown();

 private:
  Napi::Value Open(const Napi::CallbackInfo& info);
  Napi::Value Add(const Napi::CallbackInfo& info);
  Napi::Value Modify(const Napi::CallbackInfo& info);
  Napi::Value Remove(const Napi::CallbackInfo& info);
  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Stop(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value Listen(const Napi::CallbackInfo& info);
  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value Adopt(const Napi::CallbackInfo& info);
  Napi::Value Write(const Napi::CallbackInfo& info);
  Napi::Value WriteVector(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value SetArena(const Napi::CallbackInfo& info);
  Napi::Value CloseStream(const Napi::CallbackInfo& info);
  Napi::Value SetReading(const Napi::CallbackInfo& info);
  Napi::Value SetHalfClose(const Napi::CallbackInfo& info);
  Napi::Value RequestDrain(const Napi::CallbackInfo& info);
  Napi::Value ResumeListener(const Napi::CallbackInfo& info);
  Napi::Value CloseListener(const Napi::CallbackInfo& info);
  Napi::Value SocketOption(const Napi::CallbackInfo& info);
  Napi::Value Address(const Napi::CallbackInfo& info);
  Napi::Value Pending(const Napi::CallbackInfo& info);
  Napi::Value SendDescriptor(const Napi::CallbackInfo& info);
  Napi::Value ClaimDescriptor(const Napi::CallbackInfo& info);
  Napi::Value DatagramOpen(const Napi::CallbackInfo& info);
  Napi::Value DatagramAdopt(const Napi::CallbackInfo& info);
  Napi::Value DatagramConnect(const Napi::CallbackInfo& info);
  Napi::Value DatagramWrite(const Napi::CallbackInfo& info);
  Napi::Value DatagramWriteBatch(const Napi::CallbackInfo& info);
  Napi::Value DatagramClose(const Napi::CallbackInfo& info);
  Napi::Value DatagramOptionValue(const Napi::CallbackInfo& info);
  Napi::Value DatagramMembership(const Napi::CallbackInfo& info);
  Napi::Value DatagramInterface(const Napi::CallbackInfo& info);
  Napi::Value DatagramAddressOf(const Napi::CallbackInfo& info);
  Napi::Value GetRecords(const Napi::CallbackInfo& info);
  Napi::Value GetArena(const Napi::CallbackInfo& info);
  Napi::Value GetBackend(const Napi::CallbackInfo& info);
  Napi::Value GetRegistrationCount(const Napi::CallbackInfo& info);
  Napi::Value GetHeldCount(const Napi::CallbackInfo& info);

  // Closes the core and the loop watch and lets go of the batch memory and the callback.
  void CloseAll();
  // Stops keeping the process (and the batch callback) alive.
  void ReleaseRunning();
  void DestroyAsyncContext();
  // Serves kernel reports (if poll_kernel) and pending work, calling JavaScript once per batch.
  void Run(bool poll_kernel);
  // Hands the records collected so far to JavaScript, and counts them delivered whatever
  // happens there. False if the call failed (see CallJavaScript).
  bool Deliver();
  // Calls the batch callback with one number (and the arena, if reads moved to a new one) and
  // stores what it returned in `returned` (-1 if not an int32). False if it could not run or
  // threw: the environment is terminating (a worker being stopped), or the dispatcher failed.
  bool CallJavaScript(int argument, int32_t* returned);
  // Moves reads to a fresh arena when JavaScript did not (its views kept most of the current
  // one) or the current one was detached.
  void ReplaceArenaIfNeeded();
  bool ArenaDetached();
  void UseArena(Napi::ArrayBuffer arena);
  // Arranges an idle turn if work is pending and nobody else will pick it up.
  void ScheduleIfPending();

  ReactorCore core_;
  LoopWatch* watch_ = nullptr;  // owned by itself once closing starts (see binding_loop_watch.h)
  // Weak while the reactor is not running: the callback closes over the JavaScript reactor,
  // and a strong reference from here would keep an abandoned reactor alive forever. While
  // running it is strong, as Node keeps a listening server alive.
  Napi::FunctionReference on_batch_;
  Napi::Reference<Napi::ArrayBuffer> records_buffer_;
  Napi::Reference<Napi::ArrayBuffer> arena_buffer_;
  std::vector<iovec> write_chunks_;  // WriteVector's scratch
  napi_async_context async_context_ = nullptr;
  bool arena_moved_ = false;  // JavaScript has not been handed the current arena yet
  bool running_ = false;
  bool in_run_ = false;
};

}  // namespace ioreactor

#endif  // IOREACTOR_BINDING_REACTOR_H_

// The one uv_poll a reactor puts into Node's loop, and its lifetime rules.
//
// A uv handle must outlive uv_close() until its close callback runs, which may be after the
// reactor object that owns it is gone (closed from a finalizer, or at environment teardown).
// So the handle lives in its own heap object that deletes itself in the close callback, and an
// async cleanup hook makes a worker's teardown wait for that callback instead of finding a
// live handle in a loop that is being destroyed.
#ifndef IOREACTOR_BINDING_LOOP_WATCH_H_
#define IOREACTOR_BINDING_LOOP_WATCH_H_

#include <node_api.h>
#include <uv.h>

namespace ioreactor {

class NativeReactor;

class LoopWatch {
 public:
  // Returns nullptr and sets *error (-errno / uv error) on failure.
  static LoopWatch* Create(napi_env env, int fd, NativeReactor* owner, int* error);

  int Start();
  void Stop();
  // Runs the owner's OnIdle on the next loop turn (work that no kernel report will announce:
  // records produced outside a batch, edge-mode leftovers). Unreferenced: it never keeps the
  // process alive by itself.
  void ScheduleIdle();
  void CancelIdle();
  // Begins closing; the object deletes itself later. The owner is never called again.
  void Close();

 private:
  LoopWatch() = default;
  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnIdle(uv_idle_t* handle);
  static void OnClosed(uv_handle_t* handle);
  static void OnTeardown(napi_async_cleanup_hook_handle hook, void* arg);

  uv_poll_t handle_;
  uv_idle_t idle_;
  int open_handles_ = 0;  // handles not yet closed; the object deletes itself at zero
  NativeReactor* owner_ = nullptr;
  napi_async_cleanup_hook_handle cleanup_hook_ = nullptr;
  bool closing_ = false;
};

}  // namespace ioreactor

#endif  // IOREACTOR_BINDING_LOOP_WATCH_H_

#include "binding_loop_watch.h"

#include "binding_reactor.h"

namespace ioreactor {

LoopWatch* LoopWatch::Create(napi_env env, int fd, NativeReactor* owner, int* error) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) {
    *error = UV_EINVAL;
    return nullptr;
  }
  LoopWatch* watch = new LoopWatch();
  int rc = uv_poll_init(loop, &watch->handle_, fd);
  if (rc < 0) {
    delete watch;
    *error = rc;
    return nullptr;
  }
  watch->handle_.data = watch;
  watch->open_handles_ = 1;
  rc = uv_idle_init(loop, &watch->idle_);
  if (rc < 0) {
    watch->Close();
    *error = rc;
    return nullptr;
  }
  watch->idle_.data = watch;
  watch->open_handles_ = 2;
  uv_unref(reinterpret_cast<uv_handle_t*>(&watch->idle_));
  watch->owner_ = owner;
  if (napi_add_async_cleanup_hook(env, OnTeardown, watch, &watch->cleanup_hook_) != napi_ok) {
    // Without the hook nothing would close this reactor's descriptors when its environment
    // ends: refuse to make it rather than leak them later.
    watch->cleanup_hook_ = nullptr;
    watch->Close();
    *error = UV_ENOMEM;
    return nullptr;
  }
  return watch;
}

int LoopWatch::Start() { return uv_poll_start(&handle_, UV_READABLE, OnPoll); }

void LoopWatch::Stop() {
  uv_poll_stop(&handle_);
  uv_idle_stop(&idle_);
}

void LoopWatch::ScheduleIdle() {
  if (!closing_) uv_idle_start(&idle_, OnIdle);
}

void LoopWatch::CancelIdle() { uv_idle_stop(&idle_); }

void LoopWatch::OnIdle(uv_idle_t* handle) {
  LoopWatch* watch = static_cast<LoopWatch*>(handle->data);
  uv_idle_stop(handle);
  if (watch->owner_ != nullptr) watch->owner_->OnIdle();
}

void LoopWatch::Close() {
  if (closing_) return;
  closing_ = true;
  owner_ = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnClosed);
  if (open_handles_ == 2) uv_close(reinterpret_cast<uv_handle_t*>(&idle_), OnClosed);
}

void LoopWatch::OnPoll(uv_poll_t* handle, int, int) {
  LoopWatch* watch = static_cast<LoopWatch*>(handle->data);
  // Errors (status < 0) are left to the zero-timeout wait, which reports them properly.
  if (watch->owner_ != nullptr) watch->owner_->OnNotify();
}

void LoopWatch::OnClosed(uv_handle_t* handle) {
  LoopWatch* watch = static_cast<LoopWatch*>(handle->data);
  if (--watch->open_handles_ > 0) return;
  if (watch->cleanup_hook_ != nullptr) napi_remove_async_cleanup_hook(watch->cleanup_hook_);
  delete watch;
}

void LoopWatch::OnTeardown(napi_async_cleanup_hook_handle, void* arg) {
  LoopWatch* watch = static_cast<LoopWatch*>(arg);
  // The environment is going away: close the owner's poller now, then this handle.
  if (watch->owner_ != nullptr) watch->owner_->Teardown();
  watch->Close();
}

}  // namespace ioreactor

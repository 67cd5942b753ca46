// The JavaScript face of process_ops.h. Arguments are checked in TypeScript (src/process/);
// here they are only converted, and anything malformed reads as a value the kernel refuses.
#include "binding_process.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "binding_args.h"
#include "child_descriptors.h"
#include "orphan_reaper.h"
#include "process_ops.h"

namespace ioreactor {
namespace {

bool StringList(Napi::Env env, Napi::Value value, std::vector<std::string>* out) {
  if (!value.IsArray()) return false;
  Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    Napi::Value item = array.Get(i);
    if (!item.IsString()) return false;
    out->push_back(item.As<Napi::String>().Utf8Value());
  }
  (void)env;
  return true;
}

// The fd map: a flat Int32Array of (childFd, kind, inheritFd) triples.
bool FdList(Napi::Value value, std::vector<ChildFdSpec>* out) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) return false;
  Napi::Int32Array triples = value.As<Napi::Int32Array>();
  if (triples.ElementLength() % 3 != 0) return false;
  for (size_t i = 0; i < triples.ElementLength(); i += 3) {
    int kind = triples[i + 1];
    if (triples[i] < 0 || kind < ChildFdSpec::kParentReads || kind > ChildFdSpec::kInherit) return false;
    out->push_back(ChildFdSpec{triples[i], static_cast<ChildFdSpec::Kind>(kind), triples[i + 2]});
  }
  return true;
}

// spawnChild(file, argv, envp | null, cwd, fds) -> [pid, watcherFd, parentFds] or -errno.
Napi::Value SpawnChildJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  SpawnRequest request;
  request.inherit_env = info[2].IsNull();
  if (!Utf8(info, 0, &request.file) || !StringList(env, info[1], &request.argv) || (!request.inherit_env && !StringList(env, info[2], &request.envp)) ||
      !Utf8(info, 3, &request.cwd) || !FdList(info[4], &request.fds)) {
    return Int(env, -EINVAL);
  }
  SpawnResult result;
  int rc = SpawnChild(request, &result);
  if (rc < 0) return Int(env, rc);
  int watcher = OpenExitWatcher(result.pid);
  if (watcher < 0) {
    // Without a watcher the child could never be reaped: take it back at once.
    kill(result.pid, SIGKILL);
    waitpid(result.pid, nullptr, 0);
    for (int fd : result.parent_fds) {
      if (fd >= 0) ::close(fd);
    }
    return Int(env, watcher);
  }
  RecordExitWatcher(watcher, result.pid, env);
  for (int fd : result.parent_fds) {
    if (fd >= 0) RecordChildPipe(fd, env);
  }
  Napi::Array fds = Napi::Array::New(env, result.parent_fds.size());
  for (uint32_t i = 0; i < result.parent_fds.size(); i++) fds.Set(i, Int(env, result.parent_fds[i]));
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(0u, Int(env, result.pid));
  out.Set(1u, Int(env, watcher));
  out.Set(2u, fds);
  return out;
}

// reapChild(pid, watcherFd) -> [exitCode, signal] once exited, 0 while running, or -errno.
Napi::Value ReapChildJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ExitStatus status;
  int rc = ReapChild(I32(info, 0), I32(info, 1), &status);
  if (rc < 0) return Int(env, rc);
  if (!status.exited) return Int(env, 0);
  RecordChildReaped(I32(info, 1), I32(info, 0));
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Int(env, status.exit_code));
  out.Set(1u, Int(env, status.signal));
  return out;
}

// signalChild(pid, watcherFd, signal) -> 0 or -errno.
Napi::Value SignalChildJs(const Napi::CallbackInfo& info) { return Int(info.Env(), SignalChild(I32(info, 0), I32(info, 1), I32(info, 2))); }

// closeChildDescriptor(fd) -> 0, or -EBADF for anything but a child's exit watcher or pipe.
Napi::Value CloseChildDescriptorJs(const Napi::CallbackInfo& info) { return Int(info.Env(), CloseChildDescriptor(I32(info, 0))); }

// The environment is ending: the child descriptors JavaScript held are closed, or handed to the
// native orphan reaper (see child_descriptors.h).
void AdoptOrphansAtTeardown(void* env) { AdoptOrphansOf(env); }

// readPipe(fd, view) -> bytes read into view, 0 at end of file, or -errno.
Napi::Value ReadPipeJs(const Napi::CallbackInfo& info) {
  const char* data = nullptr;
  size_t length = 0;
  int rc = BytesArg(info, 1, &data, &length);
  if (rc < 0) return Int(info.Env(), rc);
  return Int(info.Env(), static_cast<double>(ReadPipe(I32(info, 0), const_cast<char*>(data), length)));
}

// writePipe(fd, view) -> bytes written or -errno.
Napi::Value WritePipeJs(const Napi::CallbackInfo& info) {
  const char* data = nullptr;
  size_t length = 0;
  int rc = BytesArg(info, 1, &data, &length);
  if (rc < 0) return Int(info.Env(), rc);
  return Int(info.Env(), static_cast<double>(WritePipe(I32(info, 0), data, length)));
}

}  // namespace

void ExportProcessFunctions(Napi::Env env, Napi::Object exports) {
  exports.Set("spawnChild", Napi::Function::New<SpawnChildJs>(env, "spawnChild"));
  exports.Set("reapChild", Napi::Function::New<ReapChildJs>(env, "reapChild"));
  exports.Set("signalChild", Napi::Function::New<SignalChildJs>(env, "signalChild"));
  exports.Set("closeChildDescriptor", Napi::Function::New<CloseChildDescriptorJs>(env, "closeChildDescriptor"));
  exports.Set("readPipe", Napi::Function::New<ReadPipeJs>(env, "readPipe"));
  exports.Set("writePipe", Napi::Function::New<WritePipeJs>(env, "writePipe"));
  // Without the hook (it cannot fail short of memory), such children stay zombies, as before.
  napi_add_env_cleanup_hook(env, AdoptOrphansAtTeardown, static_cast<napi_env>(env));
}

}  // namespace ioreactor
